//! FTP commands and their wire encoding.
//!
//! Pure: a [`Command`] becomes bytes (`"RETR name\r\n"`) or an error. An
//! argument holding CR, LF or NUL is refused, never stripped: a server that
//! plants such a name must not be able to make Skiff send a second command.

use std::fmt;
use std::net::{IpAddr, SocketAddr, SocketAddrV4};

use super::hash::HashAlgorithm;
use crate::secret::Secret;

/// Why a command could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The argument holds a byte that would end the command line early.
    #[error("refusing to send {verb}: its argument contains a CR, LF or NUL byte")]
    ForbiddenByte {
        /// The command's verb.
        verb: &'static str,
    },
}

/// The representation type for `TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferType {
    /// `TYPE A`: text with line-ending conversion.
    Ascii,
    /// `TYPE I`: bytes as they are.
    Binary,
}

/// The data-channel protection level for `PROT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectionLevel {
    /// `PROT C`: clear.
    Clear,
    /// `PROT P`: private (TLS).
    Private,
}

/// One FTP command. Paths are the server's bytes in the site's charset.
#[derive(Clone, PartialEq, Eq)]
pub enum Command {
    /// `USER name`.
    User(String),
    /// `PASS secret`; logged as `PASS ****`.
    Pass(Secret),
    /// `ACCT secret`; logged as `ACCT ****`.
    Acct(Secret),
    /// `AUTH TLS`.
    AuthTls,
    /// `PBSZ 0`.
    Pbsz,
    /// `PROT C|P`.
    Prot(ProtectionLevel),
    /// `SYST`.
    Syst,
    /// `FEAT`.
    Feat,
    /// `OPTS UTF8 ON`.
    OptsUtf8On,
    /// `PWD`.
    Pwd,
    /// `CWD path`.
    Cwd(Vec<u8>),
    /// `CDUP`.
    Cdup,
    /// `TYPE A|I`.
    Type(TransferType),
    /// `PASV`.
    Pasv,
    /// `EPSV`.
    Epsv,
    /// `PORT h1,h2,h3,h4,p1,p2`.
    Port(SocketAddrV4),
    /// `EPRT |1|addr|port|` or `|2|`.
    Eprt(SocketAddr),
    /// `MLSD [path]`.
    Mlsd(Option<Vec<u8>>),
    /// `MLST [path]`.
    Mlst(Option<Vec<u8>>),
    /// `LIST [path]`.
    List(Option<Vec<u8>>),
    /// `RETR path`.
    Retr(Vec<u8>),
    /// `STOR path`.
    Stor(Vec<u8>),
    /// `APPE path`.
    Appe(Vec<u8>),
    /// `REST offset`.
    Rest(u64),
    /// `SIZE path`.
    Size(Vec<u8>),
    /// `MDTM path`.
    Mdtm(Vec<u8>),
    /// `MFMT YYYYMMDDHHMMSS path`: sets a file's modification time (UTC).
    Mfmt(chrono::NaiveDateTime, Vec<u8>),
    /// `HASH path`: the file's checksum in the server's selected algorithm.
    Hash(Vec<u8>),
    /// `XSHA256 path`, `XSHA1`, `XMD5`, `XCRC`: the file's checksum.
    XHash(HashAlgorithm, Vec<u8>),
    /// `MKD path`.
    Mkd(Vec<u8>),
    /// `RMD path`.
    Rmd(Vec<u8>),
    /// `DELE path`.
    Dele(Vec<u8>),
    /// `RNFR path`.
    Rnfr(Vec<u8>),
    /// `RNTO path`.
    Rnto(Vec<u8>),
    /// `SITE arguments` (e.g. `SITE CHMOD 755 path`).
    Site(Vec<u8>),
    /// A line the user typed (`skiff quote`), sent as it is once
    /// [`custom_command`] has accepted it; its verb is the line's first word.
    Custom(Vec<u8>),
    /// `NOOP`.
    Noop,
    /// `ABOR`.
    Abor,
    /// `QUIT`.
    Quit,
}

impl Command {
    /// The command's verb as sent on the wire.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::User(_) => "USER",
            Command::Pass(_) => "PASS",
            Command::Acct(_) => "ACCT",
            Command::AuthTls => "AUTH",
            Command::Pbsz => "PBSZ",
            Command::Prot(_) => "PROT",
            Command::Syst => "SYST",
            Command::Feat => "FEAT",
            Command::OptsUtf8On => "OPTS",
            Command::Pwd => "PWD",
            Command::Cwd(_) => "CWD",
            Command::Cdup => "CDUP",
            Command::Type(_) => "TYPE",
            Command::Pasv => "PASV",
            Command::Epsv => "EPSV",
            Command::Port(_) => "PORT",
            Command::Eprt(_) => "EPRT",
            Command::Mlsd(_) => "MLSD",
            Command::Mlst(_) => "MLST",
            Command::List(_) => "LIST",
            Command::Retr(_) => "RETR",
            Command::Stor(_) => "STOR",
            Command::Appe(_) => "APPE",
            Command::Rest(_) => "REST",
            Command::Size(_) => "SIZE",
            Command::Mdtm(_) => "MDTM",
            Command::Mfmt(..) => "MFMT",
            Command::Hash(_) => "HASH",
            Command::XHash(algorithm, _) => algorithm.x_verb(),
            Command::Mkd(_) => "MKD",
            Command::Rmd(_) => "RMD",
            Command::Dele(_) => "DELE",
            Command::Rnfr(_) => "RNFR",
            Command::Rnto(_) => "RNTO",
            Command::Site(_) => "SITE",
            Command::Custom(_) => "the custom command",
            Command::Noop => "NOOP",
            Command::Abor => "ABOR",
            Command::Quit => "QUIT",
        }
    }

    /// Whether the command transfers over a data connection, so that a 1xx
    /// reply to it means "the data is coming" and the caller reads the data
    /// before the final reply. A 1xx to any other command is only "wait".
    pub fn opens_data(&self) -> bool {
        matches!(
            self,
            Command::Mlsd(_)
                | Command::List(_)
                | Command::Retr(_)
                | Command::Stor(_)
                | Command::Appe(_)
        )
    }

    /// The argument's bytes, if any.
    fn argument(&self) -> Option<Vec<u8>> {
        let text = |s: &str| Some(s.as_bytes().to_vec());
        match self {
            Command::User(name) => text(name),
            Command::Pass(secret) | Command::Acct(secret) => text(secret.expose()),
            Command::AuthTls => text("TLS"),
            Command::Pbsz => text("0"),
            Command::Prot(ProtectionLevel::Clear) => text("C"),
            Command::Prot(ProtectionLevel::Private) => text("P"),
            Command::OptsUtf8On => text("UTF8 ON"),
            Command::Type(TransferType::Ascii) => text("A"),
            Command::Type(TransferType::Binary) => text("I"),
            Command::Port(addr) => text(&encode_port(*addr)),
            Command::Eprt(addr) => text(&encode_eprt(*addr)),
            Command::Rest(offset) => text(&offset.to_string()),
            Command::Mfmt(time, p) => {
                let mut arg = time.format("%Y%m%d%H%M%S ").to_string().into_bytes();
                arg.extend_from_slice(p);
                Some(arg)
            }
            Command::Cwd(p)
            | Command::Retr(p)
            | Command::Stor(p)
            | Command::Appe(p)
            | Command::Size(p)
            | Command::Mdtm(p)
            | Command::Hash(p)
            | Command::XHash(_, p)
            | Command::Mkd(p)
            | Command::Rmd(p)
            | Command::Dele(p)
            | Command::Rnfr(p)
            | Command::Rnto(p)
            | Command::Site(p) => Some(p.clone()),
            Command::Mlsd(p) | Command::Mlst(p) | Command::List(p) => p.clone(),
            Command::Syst
            | Command::Feat
            | Command::Pwd
            | Command::Cdup
            | Command::Pasv
            | Command::Epsv
            | Command::Noop
            | Command::Abor
            | Command::Quit => None,
            Command::Custom(line) => Some(line.clone()),
        }
    }

    /// The full command line, CRLF included, or an error when an argument
    /// would smuggle a line ending or NUL onto the wire.
    pub fn encode(&self) -> Result<Vec<u8>, CommandError> {
        let mut out = match self {
            Command::Custom(_) => Vec::new(),
            _ => self.verb().as_bytes().to_vec(),
        };
        if let Some(arg) = self.argument() {
            if arg.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(CommandError::ForbiddenByte { verb: self.verb() });
            }
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(&arg);
        }
        out.extend_from_slice(b"\r\n");
        Ok(out)
    }

    /// The command as it may appear in a log: secrets masked, paths decoded by `decode`.
    pub fn log_text(&self, decode: impl Fn(&[u8]) -> String) -> String {
        match self {
            Command::Pass(_) | Command::Acct(_) => format!("{} ****", self.verb()),
            Command::Custom(line) => custom_log_text(line, decode),
            _ => match self.argument() {
                Some(arg) => format!("{} {}", self.verb(), decode(&arg)),
                None => self.verb().to_string(),
            },
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.log_text(|b| String::from_utf8_lossy(b).into_owned()))
    }
}

/// Why a typed command is not sent (`skiff quote`, "Enter custom command").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomCommandError {
    /// Nothing but spaces was typed.
    #[error("the command is empty")]
    Empty,
    /// The command would open a data connection, which a custom command
    /// cannot read or feed; the session would wait for it and lose sync.
    #[error(
        "{verb} needs a data connection, which a custom command cannot use: use ls, get or put instead"
    )]
    NeedsData {
        /// The verb, upper-cased.
        verb: String,
    },
    /// The command would change what the session relies on (login, TLS,
    /// transfer type): later commands would then misread the connection.
    #[error(
        "{verb} would change the connection's login, encryption or transfer settings, so it is not sent"
    )]
    ChangesSession {
        /// The verb, upper-cased.
        verb: String,
    },
    /// The line holds CR, LF or NUL.
    #[error(transparent)]
    Encoding(#[from] CommandError),
}

/// Verbs that open (or announce) a data connection.
const DATA_VERBS: [&str; 14] = [
    "LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE", "PORT", "PASV", "EPSV", "EPRT", "LPRT",
    "LPSV", "SPSV",
];

/// Verbs that change the session's login, protection or representation.
const SESSION_VERBS: [&str; 12] = [
    "USER", "PASS", "ACCT", "REIN", "AUTH", "PBSZ", "PROT", "CCC", "TYPE", "MODE", "STRU", "REST",
];

/// A line the user typed as a command, checked before anything is sent:
/// a verb that needs a data connection or would change the session's
/// settings is refused, and so is a CR, LF or NUL anywhere in the line
/// (it would smuggle a second command). Leading and trailing spaces go.
pub fn custom_command(line: &[u8]) -> Result<Command, CustomCommandError> {
    let start = line.iter().position(|b| *b != b' ').unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| *b != b' ')
        .map_or(start, |i| i + 1);
    let line = &line[start..end];
    let verb_end = line.iter().position(|b| *b == b' ').unwrap_or(line.len());
    let verb = String::from_utf8_lossy(&line[..verb_end]).to_ascii_uppercase();
    if verb.is_empty() {
        return Err(CustomCommandError::Empty);
    }
    let command = Command::Custom(line.to_vec());
    command.encode()?;
    if DATA_VERBS.contains(&verb.as_str()) {
        return Err(CustomCommandError::NeedsData { verb });
    }
    if SESSION_VERBS.contains(&verb.as_str()) {
        return Err(CustomCommandError::ChangesSession { verb });
    }
    Ok(command)
}

/// A custom command for the log: a typed `PASS` or `ACCT` never shows its
/// argument (they are refused before sending, but the refusal may be logged).
fn custom_log_text(line: &[u8], decode: impl Fn(&[u8]) -> String) -> String {
    let verb_end = line.iter().position(|b| *b == b' ').unwrap_or(line.len());
    let verb = String::from_utf8_lossy(&line[..verb_end]).to_ascii_uppercase();
    if matches!(verb.as_str(), "PASS" | "ACCT") {
        return format!("{verb} ****");
    }
    decode(line)
}

/// `h1,h2,h3,h4,p1,p2` for `PORT`.
pub fn encode_port(addr: SocketAddrV4) -> String {
    let [a, b, c, d] = addr.ip().octets();
    let port = addr.port();
    format!("{a},{b},{c},{d},{},{}", port >> 8, port & 0xff)
}

/// `|1|addr|port|` or `|2|addr|port|` for `EPRT` (RFC 2428).
pub fn encode_eprt(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) => format!("|1|{ip}|{}|", addr.port()),
        IpAddr::V6(ip) => format!("|2|{ip}|{}|", addr.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn encodes_commands_table() {
        let v4 = SocketAddrV4::new(Ipv4Addr::new(192, 168, 1, 2), 50_000);
        let cases: Vec<(Command, &[u8])> = vec![
            (Command::User("anonymous".into()), b"USER anonymous\r\n"),
            (Command::Pass(Secret::new("pw")), b"PASS pw\r\n"),
            (Command::Pwd, b"PWD\r\n"),
            (Command::Type(TransferType::Binary), b"TYPE I\r\n"),
            (Command::Type(TransferType::Ascii), b"TYPE A\r\n"),
            (
                Command::Mfmt(
                    chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
                        .and_then(|d| d.and_hms_opt(12, 30, 45))
                        .expect("valid"),
                    b"/a b".to_vec(),
                ),
                b"MFMT 20240301123045 /a b\r\n",
            ),
            (Command::Port(v4), b"PORT 192,168,1,2,195,80\r\n"),
            (
                Command::Eprt(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 21)),
                b"EPRT |2|::1|21|\r\n",
            ),
            (
                Command::Eprt(SocketAddr::V4(v4)),
                b"EPRT |1|192.168.1.2|50000|\r\n",
            ),
            (Command::Rest(5_000_000_000), b"REST 5000000000\r\n"),
            (Command::Mlsd(None), b"MLSD\r\n"),
            (Command::List(Some(b"-a dir".to_vec())), b"LIST -a dir\r\n"),
            // Non-UTF-8 bytes (GBK) go out exactly as given.
            (
                Command::Retr(vec![0xc4, 0xe3, b'.', b't']),
                b"RETR \xc4\xe3.t\r\n",
            ),
            (Command::Appe(b" lead".to_vec()), b"APPE  lead\r\n"),
        ];
        for (command, expected) in cases {
            assert_eq!(command.encode().expect("valid"), expected, "{command:?}");
        }
    }

    #[test]
    fn refuses_line_breaks_and_nul_in_arguments() {
        for bad in [&b"a\r\nDELE x"[..], b"a\nb", b"a\rb", b"a\0b"] {
            for command in [
                Command::Retr(bad.to_vec()),
                Command::Cwd(bad.to_vec()),
                Command::User(String::from_utf8_lossy(bad).into_owned()),
                Command::Pass(Secret::new(String::from_utf8_lossy(bad))),
            ] {
                assert!(
                    matches!(command.encode(), Err(CommandError::ForbiddenByte { .. })),
                    "{command:?}"
                );
            }
        }
    }

    #[test]
    fn custom_commands_are_checked_before_sending() {
        let ok = |line: &[u8], wire: &[u8]| {
            let command = custom_command(line).expect("accepted");
            assert_eq!(command.encode().expect("encodes"), wire, "{command:?}");
        };
        ok(b"SYST", b"SYST\r\n");
        ok(b"  site help  ", b"site help\r\n");
        ok(b"SITE CHMOD 640 /a b", b"SITE CHMOD 640 /a b\r\n");
        for line in [
            &b"LIST"[..],
            b"list -a",
            b"Nlst",
            b"MLSD /",
            b"RETR x",
            b"STOR x",
            b"STOU",
        ]
        .into_iter()
        .chain([
            &b"APPE x"[..],
            b"PASV",
            b"EPSV",
            b"PORT 1,2,3,4,5,6",
            b"EPRT |1|h|1|",
        ]) {
            assert!(
                matches!(
                    custom_command(line),
                    Err(CustomCommandError::NeedsData { .. })
                ),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        for line in [&b"TYPE A"[..], b"USER x", b"AUTH TLS", b"PROT C", b"REST 5"] {
            assert!(
                matches!(
                    custom_command(line),
                    Err(CustomCommandError::ChangesSession { .. })
                ),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        for line in [&b"NOOP\r\nDELE x"[..], b"SITE a\nb", b"SYST\0"] {
            assert!(matches!(
                custom_command(line),
                Err(CustomCommandError::Encoding(_))
            ));
        }
        assert_eq!(custom_command(b"   "), Err(CustomCommandError::Empty));
        assert_eq!(
            custom_command(b"list").map_err(|e| e.to_string()),
            Err("LIST needs a data connection, which a custom command cannot use: use ls, get or put instead".to_string())
        );
        let decode = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert_eq!(
            Command::Custom(b"pass x".to_vec()).log_text(decode),
            "PASS ****"
        );
        assert_eq!(
            Command::Site(b"CHMOD 755 /f".to_vec())
                .encode()
                .expect("ok"),
            b"SITE CHMOD 755 /f\r\n"
        );
    }

    #[test]
    fn logs_mask_secrets() {
        let decode = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert_eq!(
            Command::Pass(Secret::new("hunter2")).log_text(decode),
            "PASS ****"
        );
        assert_eq!(
            Command::Acct(Secret::new("hunter2")).log_text(decode),
            "ACCT ****"
        );
        assert_eq!(
            format!("{:?}", Command::Pass(Secret::new("hunter2"))),
            "PASS ****"
        );
        assert_eq!(Command::Cwd(b"/pub".to_vec()).log_text(decode), "CWD /pub");
    }
}
