//! Jobs: the durable, outbound steps of the workflow, one file per job.
//!
//! A job is stored in the same transaction as the event that caused it, claimed by a worker with
//! a lease, and finished as `done`, retried later, or parked as `dead` for an operator. Each
//! job's file makes its call and reports what it found as [`JobNews`]; the [`runner`] asks the
//! workflow what that means and commits the answer with the job's completion.
//!
//! [`JobNews`]: crate::workflow::JobNews

mod apply_inbound_event;
mod attach_invoice;
mod attach_label;
mod bulk;
mod cancel_package;
mod create_package;
mod create_replacement;
mod create_ticket;
mod expire_confirmation;
mod handover;
mod move_ticket;
mod notify;
mod package_request;
mod read_package;
mod reconcile;
pub mod runner;
mod services;
mod ticket_data;
mod update_package;
mod write_back_to_shop;

pub use crate::store::{ClaimedJob, JobCounts, JobInputs, JobRecord, JobState};
pub use crate::workflow::{Job, JobError, JobKind, MoveTicket, OrderJob, SystemJob};
pub use bulk::BulkCreator;
pub use runner::JobRunner;
pub use services::{Services, ShopRuntime};
