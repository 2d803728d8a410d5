//! Why a person's request is refused, in words the person reads at once (a 409 from the admin
//! API, the console's message, the CLI's error). Shared by the operator requests and by the
//! after-delivery rules, which refuse the same way whoever asks.

use crate::domain::Unshippable;
use crate::lifecycle::OrderState;

/// Why a request cannot be done to the order as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Nothing to change.
    #[error("the correction changes nothing")]
    NothingToCorrect,
    /// Delivered, returned or cancelled.
    #[error("the order is {0}: it is finished")]
    Finished(OrderState),
    /// The courier has the parcel.
    #[error("ShaQ has picked the parcel up: change the delivery with ShaQ")]
    PickedUp,
    /// Only an order waiting for a person resumes.
    #[error("the order is {0}, not waiting for a person")]
    NotWaiting(OrderState),
    /// The package exists: the courier's next status moves the order.
    #[error("the order has a ShaQ package: its next courier status moves it on")]
    HasPackage,
    /// Resuming would stop again at once.
    #[error("the order still cannot ship: {0}")]
    StillUnshippable(Unshippable),
    /// Returns, replacements and exchanges follow a delivery.
    #[error("the order is {0}: a return, replacement or exchange needs a delivered order")]
    NotDelivered(OrderState),
    /// One at a time.
    #[error("a return, replacement or exchange of this order is still on its way ({0})")]
    AfterSaleUnderway(String),
    /// Asked twice at once (two people, a double click): the first is being booked.
    #[error("a return, replacement or exchange of this order is already being booked")]
    AfterSaleBeingBooked,
}
