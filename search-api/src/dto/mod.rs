//! Response bodies as types: what the service answers, serialised as is.

pub mod review;
