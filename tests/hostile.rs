//! Hostile servers that speak TLS: rows of the hostile-server table that a
//! plain scripted server cannot show. The server here is scripted by hand
//! over tokio-rustls with an rcgen certificate the client pins.

use std::sync::Arc;
use std::time::Duration;

use skiff::engine::{
    Credentials, Encryption, EngineError, EventSink, Fingerprint, Session, SessionConfig,
};
use skiff::secret::Secret;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

struct TlsServer {
    acceptor: TlsAcceptor,
    fingerprint: Fingerprint,
}

fn tls_server() -> TlsServer {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    let der = cert.cert.der().clone();
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .expect("server config");
    TlsServer {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        fingerprint: Fingerprint::of(&der),
    }
}

/// Reads one command line.
async fn recv<S: AsyncRead + Unpin>(reader: &mut BufReader<S>, log: &mut Vec<String>) -> String {
    let mut line = String::new();
    let _ = reader.read_line(&mut line).await;
    let line = line.trim_end().to_string();
    log.push(line.clone());
    line
}

async fn send<S: AsyncWrite + Unpin>(stream: &mut S, text: &str) {
    let _ = stream.write_all(format!("{text}\r\n").as_bytes()).await;
    let _ = stream.flush().await;
}

fn client_config(port: u16, fingerprint: Fingerprint) -> SessionConfig {
    let credentials = Credentials {
        user: "alice".to_string(),
        password: Secret::new("hunter2"),
        account: None,
    };
    let mut config = SessionConfig::new("127.0.0.1", port, credentials);
    config.encryption = Encryption::RequireExplicit;
    config.tls.trusted = vec![fingerprint];
    config.timeout = Duration::from_secs(3);
    config
}

/// Row 13: bytes sent after "234" but before the handshake (CVE-2021-22947)
/// are discarded, never read as replies, so an injected "230" cannot stand in
/// for the real answer to USER.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_injected_before_tls_is_discarded() {
    let server = tls_server();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let acceptor = server.acceptor.clone();
    let script = tokio::spawn(async move {
        let mut log = Vec::new();
        let (tcp, _) = listener.accept().await.expect("accept");
        let mut plain = BufReader::new(tcp);
        send(plain.get_mut(), "220 hello").await;
        assert_eq!(recv(&mut plain, &mut log).await, "AUTH TLS");
        // The injection rides in the same packet as the 234.
        send(plain.get_mut(), "234 go ahead\r\n230 injected: logged in").await;
        let tls = acceptor
            .accept(plain.into_inner())
            .await
            .expect("handshake");
        let mut tls = BufReader::new(tls);
        loop {
            let line = recv(&mut tls, &mut log).await;
            let reply = match line.split(' ').next().unwrap_or("") {
                "USER" => "331 password please",
                "PASS" => "230 logged in",
                "FEAT" => "211-Features:\r\n SIZE\r\n211 End",
                "PBSZ" | "PROT" | "TYPE" | "OPTS" => "200 ok",
                "SYST" => "215 UNIX",
                "" => return log,
                _ => "500 no",
            };
            send(tls.get_mut(), reply).await;
        }
    });
    let session = Session::connect(client_config(port, server.fingerprint), EventSink::none())
        .await
        .expect("login over TLS");
    assert!(session.tls_info().is_some());
    drop(session);
    let log = tokio::time::timeout(Duration::from_secs(5), script)
        .await
        .expect("script ends")
        .expect("script ok");
    // Had the client taken the injected 230 for USER's reply, PASS would be missing.
    assert_eq!(
        &log[..3],
        &["AUTH TLS", "USER alice", "PASS hunter2"],
        "{log:?}"
    );
}

/// Row 19: a TLS data connection that ends without close_notify is reported as
/// possibly truncated, never as success, even when the server says 226; what
/// arrived is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_data_without_close_notify_is_not_success() {
    let server = tls_server();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let acceptor = server.acceptor.clone();
    tokio::spawn(async move {
        let mut log = Vec::new();
        let (tcp, _) = listener.accept().await.expect("accept");
        let mut plain = BufReader::new(tcp);
        send(plain.get_mut(), "220 hello").await;
        recv(&mut plain, &mut log).await;
        send(plain.get_mut(), "234 go ahead").await;
        let tls = acceptor
            .accept(plain.into_inner())
            .await
            .expect("handshake");
        let mut control = BufReader::new(tls);
        let mut data_listener: Option<TcpListener> = None;
        loop {
            let line = recv(&mut control, &mut log).await;
            match line.split(' ').next().unwrap_or("") {
                "USER" => send(control.get_mut(), "331 pw").await,
                "PASS" => send(control.get_mut(), "230 ok").await,
                "EPSV" => {
                    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                    let p = l.local_addr().expect("addr").port();
                    data_listener = Some(l);
                    send(control.get_mut(), &format!("229 ok (|||{p}|)")).await;
                }
                "RETR" => {
                    send(control.get_mut(), "150 sending").await;
                    let (tcp, _): (TcpStream, _) = data_listener
                        .take()
                        .expect("EPSV first")
                        .accept()
                        .await
                        .expect("data");
                    let mut data = acceptor.accept(tcp).await.expect("data handshake");
                    let _ = data.write_all(&[5u8; 3000]).await;
                    let _ = data.flush().await;
                    // Drop the TCP connection under TLS: no close_notify.
                    let (tcp, _) = data.into_inner();
                    drop(tcp);
                    send(control.get_mut(), "226 Transfer complete").await;
                }
                "" => return,
                "FEAT" => send(control.get_mut(), "211-Features:\r\n SIZE\r\n211 End").await,
                "SYST" => send(control.get_mut(), "215 UNIX").await,
                _ => send(control.get_mut(), "200 ok").await,
            }
        }
    });
    let mut session = Session::connect(client_config(port, server.fingerprint), EventSink::none())
        .await
        .expect("login over TLS");
    let mut sink = Vec::new();
    let err = session
        .download(b"/f", &mut sink, 0, None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("close_notify"), "{err}");
    assert!(matches!(err, EngineError::DataChannel(_)), "{err:?}");
    assert!(err.is_transient(), "a retry may resume it");
    assert_eq!(sink.len(), 3000, "what arrived is kept");
}
