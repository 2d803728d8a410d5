//! `expire_confirmation`: a timer, no call. When it fires the workflow decides (an order still
//! waiting for the customer goes to a person).

use crate::workflow::JobNews;

pub(super) const CALLS: &str = "timer";

pub(super) fn run() -> JobNews {
    JobNews::ConfirmationDeadlinePassed
}
