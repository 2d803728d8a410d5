//! `handover`: tell ShaQ which packages its rider takes (one shipment), fetch every package's
//! label, and print the manifest and labels as one PDF. Each step is kept as it is done, so a
//! retry (a label not ready yet, a crash) goes on from where it stopped and never asks ShaQ for
//! a second shipment.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use documents::{Label, Manifest, ManifestLine};
use reqwest::Method;
use rust_decimal::Decimal;
use shaq_client::{Classify, Disposition, LabelOutcome};

use super::JobError;
use super::package_request::new_package;
use super::services::Services;
use crate::store::ShipmentState;
use crate::workflow::{Decision, Rules, TrackedOrder, handover};

pub(super) const CALLS: &str = "ShaQ POST /shipments, GET /packages/{ref}/label for each package";

/// How long to wait before asking again for a label ShaQ has not made yet.
const LABEL_RETRY: Duration = Duration::from_secs(30);

fn store_failed(error: impl std::fmt::Display) -> JobError {
    JobError::retryable(format!("storage: {error}"))
}

pub(super) async fn run(
    services: &Services,
    rules: &Rules,
    shipment_id: i64,
) -> Result<Decision, JobError> {
    let store = &services.store;
    let shipment = store
        .shipment(shipment_id)
        .await
        .map_err(store_failed)?
        .ok_or_else(|| JobError::permanent(format!("shipment {shipment_id} is not stored")))?;
    // Finished (a retry after the answer was stored, or after ShaQ refused it): nothing to do.
    if matches!(
        shipment.state,
        ShipmentState::Ready | ShipmentState::Refused
    ) {
        return Ok(Decision::nothing());
    }
    let orders = store
        .shipment_orders(shipment_id)
        .await
        .map_err(store_failed)?;
    let (going, left_out): (Vec<TrackedOrder>, Vec<TrackedOrder>) =
        orders.into_iter().partition(handover::is_ready);
    // What cannot work whatever the retries gives the packages back, with the reason, rather
    // than leaving them in a dead shipment that nothing will gather again.
    let going_now = &going;
    let give_back = move |reason: String| async move {
        let reason = crate::domain::mask_digit_runs(&reason);
        store
            .refuse_shipment(shipment_id, &reason, Utc::now())
            .await
            .map_err(store_failed)?;
        Ok::<Decision, JobError>(handover::on_refused(going_now, &reason, Utc::now()))
    };
    let shop = match services.shop(&shipment.shop) {
        Ok(shop) => shop,
        Err(error) => return give_back(error.to_string()).await,
    };
    let reference = match shipment.reference.clone() {
        Some(reference) => reference,
        None if going.is_empty() => "none (every order was cancelled)".to_owned(),
        None => {
            let adopted = if shipment.state == ShipmentState::Requesting {
                made_by_an_earlier_attempt(shop, &going).await?
            } else {
                None
            };
            match adopted {
                Some(reference) => reference,
                None => {
                    let packages = match packages_of(rules, services, shop, &shipment, &going).await
                    {
                        Ok(packages) => packages,
                        Err(JobError::Permanent { message }) => return give_back(message).await,
                        Err(error) => return Err(error),
                    };
                    store
                        .mark_shipment_requesting(shipment_id, Utc::now())
                        .await
                        .map_err(store_failed)?;
                    let answer = match shop.shaq.create_shipment(&packages).await {
                        Ok(answer) => answer,
                        Err(error) if !matches!(error.disposition(), Disposition::Retry { .. }) => {
                            // A refusal is an answer, not a dead job: the packages go back to
                            // "ready" and every order's timeline says why.
                            return give_back(error.to_string()).await;
                        }
                        Err(error) => return Err(error.into()),
                    };
                    match answer.get("reference").and_then(serde_json::Value::as_str) {
                        Some(reference) => reference.to_owned(),
                        None => {
                            return give_back(
                                "ShaQ's answer to the shipment has no `reference`".to_owned(),
                            )
                            .await;
                        }
                    }
                }
            }
        }
    };
    if shipment.reference.is_none() && !going.is_empty() {
        store
            .set_shipment_reference(shipment_id, &reference, Utc::now())
            .await
            .map_err(store_failed)?;
    }
    let mut labels = Vec::with_capacity(going.len());
    for order in &going {
        let tracking_number = order
            .tracking_number()
            .map(ToString::to_string)
            .unwrap_or_default();
        let partner_ref = order.partner_ref().to_string();
        let url = match shop.shaq.label(&partner_ref).await {
            Ok(LabelOutcome::Ready(url)) => url,
            Ok(LabelOutcome::NotReady) => {
                let waiting = format!("waiting for ShaQ to make the label of {tracking_number}");
                store
                    .note_shipment_error(shipment_id, &waiting, Utc::now())
                    .await
                    .map_err(store_failed)?;
                return Err(JobError::Retryable {
                    message: waiting,
                    retry_after: Some(LABEL_RETRY),
                });
            }
            Err(error) => match error.disposition() {
                Disposition::Retry { .. } => return Err(error.into()),
                Disposition::NotFound | Disposition::Reject => {
                    labels.push(Label::Missing {
                        tracking_number,
                        note: format!("ShaQ has no label for it ({error}): print it from ShaQ"),
                    });
                    continue;
                }
            },
        };
        let downloads = &services.downloads;
        match downloads
            .send(downloads.request(Method::GET, &url), "the label")
            .await
        {
            Ok(file) => labels.push(Label::Pdf {
                tracking_number,
                bytes: file.body,
            }),
            Err(error) if matches!(error.disposition(), Disposition::Retry { .. }) => {
                return Err(error.into());
            }
            Err(error) => labels.push(Label::Missing {
                tracking_number,
                note: format!("the label could not be downloaded ({error}): {url}"),
            }),
        }
    }
    let now = Utc::now();
    let zone = shop.settings.zone();
    let manifest = Manifest {
        shop: shipment.shop.to_string(),
        reference: reference.clone(),
        date: format!(
            "{} ({})",
            now.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
            zone.name()
        ),
        lines: going.iter().map(manifest_line).collect(),
        totals: totals(&going),
    };
    let words = manifest_words(
        shop.settings
            .default_language
            .map_or(catalogue::Locale::En, catalogue::Locale::from),
    );
    let pdf = documents::shipment::render_in(&manifest, &labels, &words)
        .map_err(|e| JobError::permanent(format!("printing the handover: {e}")))?;
    store
        .save_shipment_pdf(shipment_id, &pdf, now)
        .await
        .map_err(store_failed)?;
    Ok(handover::on_handed_over(&going, &left_out, &reference, now))
}

/// The packages to send, as they were created.
async fn packages_of(
    rules: &Rules,
    services: &Services,
    shop: &super::services::ShopRuntime,
    shipment: &crate::store::Shipment,
    going: &[TrackedOrder],
) -> Result<Vec<shaq_client::NewPackage>, JobError> {
    let policy = rules.shop(&shipment.shop)?;
    let regions = services.regions().await?;
    going
        .iter()
        .map(|order| {
            new_package(order, &shop.shaq_settings, &policy.regions, &regions).map_err(|reason| {
                JobError::permanent(format!(
                    "order {} can no longer be sent: {reason}",
                    order.key()
                ))
            })
        })
        .collect()
}

/// An attempt that asked ShaQ and was interrupted before its answer was stored may have made
/// the shipment: ShaQ names it on its packages (`shipmentReference`), so it is adopted rather
/// than asked for twice.
async fn made_by_an_earlier_attempt(
    shop: &super::services::ShopRuntime,
    going: &[TrackedOrder],
) -> Result<Option<String>, JobError> {
    let Some(first) = going.first() else {
        return Ok(None);
    };
    Ok(shop
        .shaq
        .find_package(first.partner_ref().as_ref())
        .await?
        .and_then(|package| package.shipment_reference))
}

fn money(amount: Decimal, currency: &str) -> String {
    if amount.scale() <= 2 {
        format!("{amount:.2} {currency}")
    } else {
        format!("{amount} {currency}")
    }
}

fn manifest_line(order: &TrackedOrder) -> ManifestLine {
    let amount = order.amount_for_courier();
    ManifestLine {
        order_ref: order.order().order_ref.clone(),
        tracking_number: order
            .tracking_number()
            .map(ToString::to_string)
            .unwrap_or_default(),
        customer: order.order().recipient.name.clone(),
        city: order.order().address.city.clone(),
        to_collect: if amount.is_zero() {
            "prepaid".to_owned()
        } else {
            money(amount, &order.collect().currency)
        },
    }
}

/// Cash to collect on the shipment, per currency.
pub(crate) fn totals(orders: &[TrackedOrder]) -> Vec<String> {
    let mut by_currency: BTreeMap<&str, Decimal> = BTreeMap::new();
    for order in orders {
        let amount = order.amount_for_courier();
        if !amount.is_zero() {
            *by_currency.entry(&order.collect().currency).or_default() += amount;
        }
    }
    by_currency
        .into_iter()
        .map(|(currency, amount)| money(amount, currency))
        .collect()
}

/// The manifest's words in the shop's language (English when it names none: ShaQ's own). The
/// document's markers (`{shop}`, `{totals}`…) go through the catalogue as its arguments, so the
/// document fills them in the catalogue's word order.
fn manifest_words(locale: catalogue::Locale) -> documents::shipment::ManifestWords {
    let word = |id: &str| catalogue::text(locale, id);
    let with = |id: &str, names: &[&str]| {
        let args: Vec<(&str, catalogue::Arg<'_>)> = names
            .iter()
            .map(|name| (*name, catalogue::Arg::from(format!("{{{name}}}"))))
            .collect();
        catalogue::text_with(locale, id, &args)
    };
    documents::shipment::ManifestWords {
        title: with("manifest-title", &["shop"]),
        shipment: with("manifest-shipment", &["reference"]),
        handed_over: with("manifest-handed-over", &["date"]),
        summary: with("manifest-summary", &["count", "totals"]),
        continued: with("manifest-continued", &["reference"]),
        nothing: word("manifest-nothing"),
        columns: [
            word("manifest-column-number"),
            word("manifest-column-order"),
            word("manifest-column-tracking"),
            word("manifest-column-customer"),
            word("manifest-column-city"),
            word("manifest-column-collect"),
        ],
        total: with("manifest-total", &["totals"]),
        signatures: word("manifest-signatures"),
        label_missing: with("manifest-label-missing", &["tracking_number"]),
        label_unreadable: word("manifest-label-unreadable"),
        right_to_left: locale.is_rtl(),
    }
}

#[cfg(test)]
mod words_tests {
    use super::manifest_words;

    #[test]
    fn the_manifest_speaks_the_shops_language_and_keeps_the_documents_markers() {
        let english = manifest_words(catalogue::Locale::En);
        assert_eq!(english, documents::shipment::ManifestWords::english());
        let french = manifest_words(catalogue::Locale::Fr);
        assert_eq!(french.summary, "{count} colis ; à encaisser : {totals}");
        assert_eq!(french.columns[2], "Numéro de suivi");
        let arabic = manifest_words(catalogue::Locale::Ar);
        assert!(arabic.title.contains("{shop}"), "{}", arabic.title);
    }
}
