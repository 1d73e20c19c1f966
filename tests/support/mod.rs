pub mod fake;
pub mod servers;
pub mod sshd;
pub mod tree;
pub mod unftp;
