//! Front ends: each knows one input format and turns it into the [`crate::model::Model`].
//! They know nothing about rules.

pub mod cdk;
pub mod cfn;
pub mod terraform;
