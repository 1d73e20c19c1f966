//! The Site Manager's choices, in the window's language: protocols,
//! encryption, logon types by protocol, server types and charsets.
//!
//! Pure lists of values and their labels; must not draw.

use super::i18n::tr;
use crate::engine::Encryption;
use crate::engine::config::Protocol;
use crate::protocol::listing::ServerType;
use crate::sites::LogonType;

/// The Site Manager's words for a server type; the list is [`ServerType::ALL`].
/// The names of systems are the same in every language.
pub(super) fn server_type_label(server_type: ServerType) -> String {
    match server_type {
        ServerType::Auto => tr!("site-server-type-auto"),
        ServerType::Unix => "Unix".to_string(),
        ServerType::Dos => "DOS".to_string(),
        ServerType::Vms => "VMS".to_string(),
        ServerType::Mvs => "MVS, OS/390, z/OS".to_string(),
        ServerType::VxWorks => "VxWorks".to_string(),
        ServerType::ZVm => "z/VM".to_string(),
        ServerType::HpNonStop => "HP NonStop".to_string(),
        ServerType::DosVirtual => tr!("site-server-type-dos-virtual"),
        ServerType::Cygwin => "Cygwin".to_string(),
        ServerType::DosForwardSlashes => tr!("site-server-type-dos-slashes"),
    }
}

/// The charsets offered besides UTF-8, by their WHATWG labels.
pub(super) const CHARSETS: [&str; 12] = [
    "GBK",
    "GB18030",
    "Big5",
    "Shift_JIS",
    "EUC-JP",
    "EUC-KR",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "ISO-8859-1",
    "ISO-8859-2",
    "KOI8-R",
];

/// The encryption choices of an FTP site.
pub(super) fn encryptions() -> [(Encryption, String); 4] {
    [
        (
            Encryption::ExplicitIfAvailable,
            tr!("site-encryption-if-available"),
        ),
        (Encryption::RequireExplicit, tr!("site-encryption-explicit")),
        (Encryption::RequireImplicit, tr!("site-encryption-implicit")),
        (Encryption::Plain, tr!("site-encryption-plain")),
    ]
}

/// The logon types a protocol offers (FileZilla's): an account is FTP's,
/// a key file SFTP's.
pub(super) fn logons(protocol: Protocol) -> Vec<(LogonType, String)> {
    let mut logons = vec![
        (LogonType::Anonymous, tr!("site-logon-anonymous")),
        (LogonType::Normal, tr!("site-logon-normal")),
        (LogonType::Ask, tr!("site-logon-ask")),
    ];
    logons.push(match protocol {
        Protocol::Ftp => (LogonType::Account, tr!("site-logon-account")),
        Protocol::Sftp => (LogonType::KeyFile, tr!("site-logon-key-file")),
    });
    logons
}

/// The protocols a site can speak.
pub(super) fn protocols() -> [(Protocol, String); 2] {
    [
        (Protocol::Ftp, tr!("site-protocol-ftp")),
        (Protocol::Sftp, tr!("site-protocol-sftp")),
    ]
}
