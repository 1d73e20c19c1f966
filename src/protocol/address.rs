//! Data-channel address replies: `227` (PASV) and `229` (EPSV).
//!
//! Pure. Servers wrap the numbers in all kinds of text, so the parsers look
//! for the numbers rather than for a fixed layout, and range-check each one.

use std::net::{Ipv4Addr, SocketAddrV4};

/// Why a PASV or EPSV reply could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// No `h1,h2,h3,h4,p1,p2` group in a 227 reply.
    #[error("no address in the PASV reply")]
    NoPasvAddress,
    /// A number in a 227 reply is outside 0–255.
    #[error("PASV reply number out of range: {0}")]
    PasvOutOfRange(String),
    /// No `(|||port|)` in a 229 reply.
    #[error("no port in the EPSV reply")]
    NoEpsvPort,
    /// The 229 port is outside 1–65535.
    #[error("EPSV reply port out of range: {0}")]
    EpsvOutOfRange(String),
}

/// Parses the text of a 227 reply, such as `Entering Passive Mode (127,0,0,1,250,10).`
pub fn parse_pasv(text: &[u8]) -> Result<SocketAddrV4, AddressError> {
    // Find the first run of six comma-separated numbers; text may surround it.
    let mut start = 0;
    while start < text.len() {
        if !text[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        if let Some(numbers) = six_numbers(&text[start..]) {
            let mut values = [0u8; 6];
            for (value, number) in values.iter_mut().zip(&numbers) {
                *value = u8::try_from(*number)
                    .map_err(|_| AddressError::PasvOutOfRange(number.to_string()))?;
            }
            let ip = Ipv4Addr::new(values[0], values[1], values[2], values[3]);
            let port = u16::from(values[4]) << 8 | u16::from(values[5]);
            return Ok(SocketAddrV4::new(ip, port));
        }
        while start < text.len() && text[start].is_ascii_digit() {
            start += 1;
        }
    }
    Err(AddressError::NoPasvAddress)
}

/// Reads `n,n,n,n,n,n` from the start of `text`; numbers are kept wide so
/// that an out-of-range one can be reported rather than wrapped.
fn six_numbers(text: &[u8]) -> Option<[u64; 6]> {
    let mut out = [0u64; 6];
    let mut pos = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        if i > 0 {
            while text.get(pos) == Some(&b' ') {
                pos += 1;
            }
            if text.get(pos) != Some(&b',') {
                return None;
            }
            pos += 1;
            while text.get(pos) == Some(&b' ') {
                pos += 1;
            }
        }
        let digits_start = pos;
        while text.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        let digits = text.get(digits_start..pos)?;
        if digits.is_empty() || digits.len() > 10 {
            return None;
        }
        *slot = std::str::from_utf8(digits).ok()?.parse().ok()?;
    }
    Some(out)
}

/// Parses the text of a 229 reply, such as `Entering Extended Passive Mode (|||6446|)`.
pub fn parse_epsv(text: &[u8]) -> Result<u16, AddressError> {
    let open = text
        .iter()
        .position(|&b| b == b'(')
        .ok_or(AddressError::NoEpsvPort)?;
    let inner = &text[open + 1..];
    let close = inner
        .iter()
        .position(|&b| b == b')')
        .ok_or(AddressError::NoEpsvPort)?;
    let inner = &inner[..close];
    // RFC 2428: <d><d><d><port><d>, where d is any printable delimiter, the same four times.
    let [d, rest @ ..] = inner else {
        return Err(AddressError::NoEpsvPort);
    };
    if !(33..=126).contains(d) || rest.len() < 4 || rest[0] != *d || rest[1] != *d {
        return Err(AddressError::NoEpsvPort);
    }
    let port = &rest[2..];
    let Some((&last, digits)) = port.split_last() else {
        return Err(AddressError::NoEpsvPort);
    };
    if last != *d || digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(AddressError::NoEpsvPort);
    }
    let shown = String::from_utf8_lossy(digits).into_owned();
    if digits.len() > 5 {
        return Err(AddressError::EpsvOutOfRange(shown));
    }
    let value: u32 = shown
        .parse()
        .map_err(|_| AddressError::EpsvOutOfRange(shown.clone()))?;
    match u16::try_from(value) {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(AddressError::EpsvOutOfRange(shown)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasv_table() {
        let ok: &[(&[u8], [u8; 4], u16)] = &[
            (
                b"Entering Passive Mode (127,0,0,1,250,10).",
                [127, 0, 0, 1],
                64010,
            ),
            (b"Entering Passive Mode 10,0,0,5,4,1", [10, 0, 0, 5], 1025),
            (b"=192,168,0,1,0,21", [192, 168, 0, 1], 21),
            (b"ok (1, 2, 3, 4, 5, 6)", [1, 2, 3, 4], 1286),
            // A leading number that is not the address is passed over.
            (b"227 Entering mode 12 (8,8,4,4,1,1)", [8, 8, 4, 4], 257),
        ];
        for (text, ip, port) in ok {
            let addr = parse_pasv(text).expect("valid");
            assert_eq!(addr.ip().octets(), *ip);
            assert_eq!(addr.port(), *port);
        }
        let bad: &[(&[u8], AddressError)] = &[
            (b"Entering Passive Mode", AddressError::NoPasvAddress),
            (b"(1,2,3,4,5)", AddressError::NoPasvAddress),
            (
                b"(127,0,0,1,256,10)",
                AddressError::PasvOutOfRange("256".into()),
            ),
            (
                b"(999,0,0,1,1,1)",
                AddressError::PasvOutOfRange("999".into()),
            ),
            (b"(1,2,3,4,5,99999999999)", AddressError::NoPasvAddress),
            (b"", AddressError::NoPasvAddress),
        ];
        for (text, err) in bad {
            assert_eq!(
                &parse_pasv(text).unwrap_err(),
                err,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn epsv_table() {
        assert_eq!(
            parse_epsv(b"Entering Extended Passive Mode (|||6446|)"),
            Ok(6446)
        );
        assert_eq!(parse_epsv(b"ok (!!!65535!)"), Ok(65535));
        let bad: &[(&[u8], AddressError)] = &[
            (b"Entering Extended Passive Mode", AddressError::NoEpsvPort),
            (b"(|||6446)", AddressError::NoEpsvPort),
            (b"(||6446|)", AddressError::NoEpsvPort),
            (b"(|||abc|)", AddressError::NoEpsvPort),
            (b"(|||0|)", AddressError::EpsvOutOfRange("0".into())),
            (b"(|||65536|)", AddressError::EpsvOutOfRange("65536".into())),
            (
                b"(|||99999999999|)",
                AddressError::EpsvOutOfRange("99999999999".into()),
            ),
            (b"(", AddressError::NoEpsvPort),
            (b"()", AddressError::NoEpsvPort),
        ];
        for (text, err) in bad {
            assert_eq!(
                &parse_epsv(text).unwrap_err(),
                err,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn never_panics_on_prefixes() {
        let text = b"Entering Passive Mode (127,0,0,1,250,10) (|||6446|)";
        for end in 0..text.len() {
            let _ = parse_pasv(&text[..end]);
            let _ = parse_epsv(&text[..end]);
        }
    }
}
