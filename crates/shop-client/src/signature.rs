//! HMAC-SHA256 signatures as the shop platforms write them (Shopify and WooCommerce in base64,
//! YouCan and most custom shops in hex).

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How a signature is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureEncoding {
    /// Lowercase or uppercase hexadecimal.
    Hex,
    /// Standard base64.
    Base64,
}

/// The HMAC-SHA256 of `body` under `secret`, encoded.
pub fn sign(secret: &str, body: &[u8], encoding: SignatureEncoding) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    match encoding {
        SignatureEncoding::Hex => hex::encode(bytes),
        SignatureEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// Whether `presented` (encoded) is the signature of `body` under any of `secrets`, compared in
/// constant time. A signature that does not decode is not valid.
pub fn verify<'s>(
    secrets: impl IntoIterator<Item = &'s str>,
    body: &[u8],
    presented: &str,
    encoding: SignatureEncoding,
) -> Result<bool, InvalidEncoding> {
    let signature = match encoding {
        SignatureEncoding::Hex => hex::decode(presented).ok(),
        SignatureEncoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(presented)
            .ok(),
    }
    .ok_or(InvalidEncoding(encoding))?;
    Ok(secrets.into_iter().any(|secret| {
        Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map(|mut mac| {
                mac.update(body);
                mac.verify_slice(&signature).is_ok()
            })
            .unwrap_or(false)
    }))
}

/// A presented signature that is not valid hex or base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not valid {}", match .0 { SignatureEncoding::Hex => "hex", SignatureEncoding::Base64 => "base64" })]
pub struct InvalidEncoding(pub SignatureEncoding);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_under_its_secret_only() {
        let body = br#"{"id":1}"#;
        for encoding in [SignatureEncoding::Hex, SignatureEncoding::Base64] {
            let signature = sign("new", body, encoding);
            assert_eq!(verify(["old", "new"], body, &signature, encoding), Ok(true));
            assert_eq!(verify(["old"], body, &signature, encoding), Ok(false));
            assert_eq!(verify(["new"], b"{}", &signature, encoding), Ok(false));
        }
        assert!(verify(["new"], body, "%%%", SignatureEncoding::Base64).is_err());
    }
}
