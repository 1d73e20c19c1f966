//! Opening data connections, passive or active.
//!
//! Passive asks with EPSV, then PASV, and by default connects to the control
//! connection's peer address, taking only the port from a 227 reply: a server
//! (or an attacker) naming another host cannot aim Skiff at it. Active listens
//! on the control connection's local address (or a port range, announcing an
//! external address for NAT) and accepts only the control peer's address.

use std::net::{IpAddr, SocketAddr, SocketAddrV4};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::{TcpListener, TcpStream};

use super::config::ActiveConfig;
use super::control::Control;
use super::error::{EngineError, Result};
use super::event::LogKind;
use crate::protocol::{Command, parse_epsv, parse_pasv};

/// Why a data connection could not be prepared.
#[derive(Debug)]
pub(crate) enum DataFailure {
    /// This mode cannot open a data channel here (refused, unreachable); the
    /// other mode may. The error stays typed (a refusal is `Refused`, a bad
    /// 227 `Address`) until the session has no mode left to try.
    Channel(EngineError),
    /// The control connection itself failed; nothing more can be tried on it.
    Fatal(EngineError),
}

impl From<EngineError> for DataFailure {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Refused { .. } | EngineError::Address(_) => DataFailure::Channel(e),
            other => DataFailure::Fatal(other),
        }
    }
}

/// A reason this mode cannot open a data channel, in words.
fn channel(why: String) -> DataFailure {
    DataFailure::Channel(EngineError::DataChannel(why))
}

/// The error for a data channel no mode could open: `DataChannel`, with the
/// last mode's reason.
pub(crate) fn channel_error(last: EngineError) -> EngineError {
    match last {
        EngineError::DataChannel(_) => last,
        other => EngineError::DataChannel(other.to_string()),
    }
}

/// A data channel ready for the transfer command.
#[derive(Debug)]
pub(crate) enum DataPrep {
    /// Passive: already connected.
    Connected(TcpStream),
    /// Active: listening; the server connects after the transfer command.
    Listening {
        listener: TcpListener,
        expect_peer: IpAddr,
    },
}

impl DataPrep {
    /// The connected stream, accepting the server's connection in active mode.
    pub(crate) async fn establish(self, control: &Control) -> Result<TcpStream, String> {
        match self {
            DataPrep::Connected(stream) => Ok(stream),
            DataPrep::Listening {
                listener,
                expect_peer,
            } => {
                let accept = async {
                    loop {
                        let (stream, from) = listener.accept().await.map_err(|e| e.to_string())?;
                        if from.ip() == expect_peer {
                            return Ok::<_, String>(stream);
                        }
                        // Someone else raced the server to our port: refuse them, keep waiting.
                        control.log(
                            LogKind::Warning,
                            format!("Refused a data connection from {from}: not the server"),
                        );
                    }
                };
                match tokio::time::timeout(control.timeout, accept).await {
                    Ok(result) => result,
                    Err(_) => Err(format!(
                        "the server did not connect within {} s",
                        control.timeout.as_secs()
                    )),
                }
            }
        }
    }
}

/// What a passive-mode attempt remembers across transfers.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PassiveState {
    /// EPSV failed once: use PASV from now on.
    pub(crate) epsv_broken: bool,
}

/// Prepares a passive data connection: EPSV, falling back to PASV.
pub(crate) async fn prepare_passive(
    control: &mut Control,
    state: &mut PassiveState,
    trust_pasv_address: bool,
) -> Result<DataPrep, DataFailure> {
    let peer_ip = control.peer.ip();
    if !state.epsv_broken {
        let reply = control.command(&Command::Epsv).await?;
        if reply.code == 229 {
            match parse_epsv(reply.first_text()) {
                Ok(port) => match connect(control, SocketAddr::new(peer_ip, port)).await {
                    Ok(stream) => return Ok(DataPrep::Connected(stream)),
                    Err(e) => control.log(
                        LogKind::Warning,
                        format!("EPSV data connection failed ({e}); trying PASV"),
                    ),
                },
                Err(e) => control.log(LogKind::Warning, format!("{e}; trying PASV")),
            }
        }
        state.epsv_broken = true;
    }
    if peer_ip.is_ipv6() {
        return Err(channel(
            "EPSV failed and PASV cannot reach an IPv6 server".to_string(),
        ));
    }
    let reply = control.command(&Command::Pasv).await?;
    if reply.code != 227 {
        return Err(control.refused(&Command::Pasv, &reply).into());
    }
    let announced = parse_pasv(reply.first_text()).map_err(EngineError::from)?;
    let target = if trust_pasv_address || IpAddr::V4(*announced.ip()) == peer_ip {
        SocketAddr::V4(announced)
    } else {
        control.log(
            LogKind::Status,
            format!(
                "Server sent passive address {}; connecting to the server's address {} instead",
                announced.ip(),
                peer_ip
            ),
        );
        SocketAddr::new(peer_ip, announced.port())
    };
    connect(control, target)
        .await
        .map(DataPrep::Connected)
        .map_err(channel)
}

async fn connect(control: &Control, target: SocketAddr) -> Result<TcpStream, String> {
    match tokio::time::timeout(control.timeout, TcpStream::connect(target)).await {
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            Ok(stream)
        }
        Ok(Err(e)) => Err(format!("{e}: {target}")),
        Err(_) => Err(format!(
            "no data connection within {} s: {target}",
            control.timeout.as_secs()
        )),
    }
}

/// Prepares an active data connection: listen, then PORT or EPRT.
pub(crate) async fn prepare_active(
    control: &mut Control,
    active: &ActiveConfig,
) -> Result<DataPrep, DataFailure> {
    let local_ip = control.local.ip();
    let listener = listen(local_ip, active.port_range).await.map_err(channel)?;
    let port = listener
        .local_addr()
        .map_err(|e| channel(e.to_string()))?
        .port();
    let announce = active.external_ip.unwrap_or(local_ip);
    let command = match announce {
        IpAddr::V4(ip) => Command::Port(SocketAddrV4::new(ip, port)),
        IpAddr::V6(_) => Command::Eprt(SocketAddr::new(announce, port)),
    };
    let reply = control.command(&command).await?;
    if !reply.is_success() {
        return Err(control.refused(&command, &reply).into());
    }
    Ok(DataPrep::Listening {
        listener,
        expect_peer: control.peer.ip(),
    })
}

/// Binds a listener on `ip`, on any port or on a port in `range` (starting at
/// a varying point so consecutive transfers do not collide on TIME_WAIT ports).
async fn listen(ip: IpAddr, range: Option<(u16, u16)>) -> Result<TcpListener, String> {
    let Some((low, high)) = range else {
        return TcpListener::bind(SocketAddr::new(ip, 0))
            .await
            .map_err(|e| format!("cannot listen for a data connection: {e}"));
    };
    if low == 0 || low > high {
        return Err(format!("invalid active port range {low}-{high}"));
    }
    let span = u32::from(high - low) + 1;
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .subsec_nanos();
    for i in 0..span {
        let offset = (seed.wrapping_add(i)) % span;
        let port = low + offset as u16;
        if let Ok(listener) = TcpListener::bind(SocketAddr::new(ip, port)).await {
            return Ok(listener);
        }
    }
    Err(format!("no free port in the active range {low}-{high}"))
}
