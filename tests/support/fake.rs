//! Test support: a scripted FTP server for behaviours no real server shows on
//! demand (a dropped data connection, a foreign PASV address, an endless
//! reply, replies in odd orders). Each test writes its script as an async
//! function over [`Conn`]; every command the client sends is recorded.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// A running fake server.
pub struct Fake {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Every command line received, in order, across connections.
    pub received: Arc<Mutex<Vec<String>>>,
    /// Control connections accepted so far.
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Fake {
    /// The commands received so far.
    pub fn commands(&self) -> Vec<String> {
        self.received.lock().expect("lock").clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One control connection, as the script sees it.
pub struct Conn {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    received: Arc<Mutex<Vec<String>>>,
    /// The client's address.
    pub peer: SocketAddr,
}

impl Conn {
    /// Sends one reply line (CRLF added); embedded `\r\n` make multi-line replies.
    pub async fn send(&mut self, text: &str) {
        let _ = self
            .writer
            .write_all(format!("{text}\r\n").as_bytes())
            .await;
    }

    /// Sends raw bytes.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let _ = self.writer.write_all(bytes).await;
    }

    /// Reads the next command line (without CRLF), recording it; `None` at EOF.
    pub async fn recv(&mut self) -> Option<String> {
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line)
                    .trim_end_matches(['\r', '\n'])
                    .to_string();
                self.received.lock().expect("lock").push(text.clone());
                Some(text)
            }
        }
    }

    /// Reads commands, answering the routine ones, until one starts with `verb`; returns it.
    pub async fn until(&mut self, verb: &str) -> Option<String> {
        loop {
            let line = self.recv().await?;
            if line.starts_with(verb) {
                return Some(line);
            }
            self.routine(&line).await;
        }
    }

    /// Answers a routine command the way a plain server would.
    pub async fn routine(&mut self, line: &str) {
        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "USER" => self.send("331 Password please").await,
            "PASS" => self.send("230 Logged in").await,
            "SYST" => self.send("215 UNIX Type: L8").await,
            "FEAT" => {
                self.send("211-Features:\r\n MLST type*;size*;modify*;\r\n SIZE\r\n REST STREAM\r\n UTF8\r\n211 End")
                    .await
            }
            "OPTS" | "TYPE" | "NOOP" => self.send("200 OK").await,
            "PWD" => self.send("257 \"/\" is current").await,
            "CWD" => self.send("250 OK").await,
            "QUIT" => self.send("221 Bye").await,
            _ => self.send("500 Unknown command").await,
        }
    }

    /// Greets and handles login (USER/PASS/SYST/FEAT/OPTS/TYPE), up to the first other command.
    pub async fn greet(&mut self) {
        self.send("220 Fake FTP").await;
    }

    /// Right after the client's `EPSV`: opens a data port, answers 229, reads
    /// the transfer command, answers 150, sends `body(command)` over the data
    /// connection, closes it and answers 226. Returns the command.
    pub async fn serve_data(&mut self, body: impl FnOnce(&str) -> Vec<u8>) -> Option<String> {
        let listener = TcpListener::bind("127.0.0.1:0").await.ok()?;
        let port = listener.local_addr().ok()?.port();
        self.send(&format!("229 ok (|||{port}|)")).await;
        let command = self.recv().await?;
        self.send("150 here").await;
        let mut data = accept(&listener).await;
        let _ = data.write_all(&body(&command)).await;
        drop(data);
        self.send("226 done").await;
        Some(command)
    }

    /// Answers `EPSV` with a port of a fresh listener on 127.0.0.1 and returns the listener.
    /// Routine commands before it are answered.
    pub async fn epsv(&mut self) -> Option<TcpListener> {
        self.until("EPSV").await?;
        let listener = TcpListener::bind("127.0.0.1:0").await.ok()?;
        let port = listener.local_addr().ok()?.port();
        self.send(&format!("229 Entering Extended Passive Mode (|||{port}|)"))
            .await;
        Some(listener)
    }
}

/// Accepts one data connection with a bound on the wait.
pub async fn accept(listener: &TcpListener) -> TcpStream {
    tokio::time::timeout(std::time::Duration::from_secs(10), listener.accept())
        .await
        .expect("client connected to the data port in time")
        .expect("accept")
        .0
}

/// Reads a data connection to its end.
pub async fn read_all(mut stream: TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    out
}

/// Starts a fake server running `script` on every connection it accepts.
pub async fn start<F, Fut>(script: F) -> Fake
where
    F: Fn(Conn) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let received = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&received);
    let script = Arc::new(script);
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    let task = tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (read, writer) = stream.into_split();
            let conn = Conn {
                reader: BufReader::new(read),
                writer,
                received: Arc::clone(&recorded),
                peer,
            };
            let script = Arc::clone(&script);
            tokio::spawn(async move { script(conn).await });
        }
    });
    Fake {
        addr,
        received,
        connections,
        task,
    }
}
