pub mod fake;
pub mod servers;
pub mod unftp;
