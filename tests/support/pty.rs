//! The built binary in a pseudo-terminal, its output parsed by a terminal emulator
//! (vt100), for the end-to-end tests (`support::pty`) and the terminal bench (which
//! includes this file alone: `#[path = "../tests/support/pty.rs"] mod pty;`).

#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// `grayscope` running in a pseudo-terminal, its output read by a thread of its own
/// into an emulated screen and into `T`, what the caller wants recorded of it.
pub struct Pty<T> {
    pub child: Box<dyn Child + Send + Sync>,
    pub master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    /// The emulated screen, `rows` x `cols`, fed every byte the binary writes.
    pub screen: Arc<Mutex<vt100::Parser>>,
    /// When the binary was spawned (the reader was already running).
    pub spawned: Instant,
    /// Its `HOME`.
    pub home: PathBuf,
    /// What the reader recorded of the output.
    pub seen: Arc<Mutex<T>>,
}

impl<T: Send + 'static> Pty<T> {
    /// Spawns `grayscope <args> --log-file <log>` in a `cols` x `rows` pty, with
    /// `TERM=xterm-256color` and `HOME=<home>`. Each read of its output goes to the
    /// screen and then to `record(seen, when, bytes, screen)`, both still locked.
    pub fn spawn(
        args: &[&str],
        cols: u16,
        rows: u16,
        home: PathBuf,
        log: &Path,
        seen: T,
        record: impl FnMut(&mut T, Instant, &[u8], &vt100::Parser) + Send + 'static,
    ) -> Self {
        Self::spawn_env(args, &[], cols, rows, home, log, seen, record)
    }

    /// [`Pty::spawn`] with extra environment variables.
    #[allow(clippy::too_many_arguments)]
    pub fn spawn_env(
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
        home: PathBuf,
        log: &Path,
        seen: T,
        mut record: impl FnMut(&mut T, Instant, &[u8], &vt100::Parser) + Send + 'static,
    ) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_grayscope"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", &home);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(["--log-file", log.to_str().expect("utf-8 path")]);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).expect("rows"),
            std::num::NonZeroU16::new(cols).expect("cols"),
            0,
        )));
        let seen = Arc::new(Mutex::new(seen));
        let (parser, recorded) = (Arc::clone(&screen), Arc::clone(&seen));
        // The reader runs before the spawn so that no byte waits on it.
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                let now = Instant::now();
                if n == 0 {
                    break;
                }
                let mut parser = parser.lock().expect("lock");
                parser.process(&buf[..n]);
                record(&mut recorded.lock().expect("lock"), now, &buf[..n], &parser);
            }
        });
        let spawned = Instant::now();
        let child = pair.slave.spawn_command(cmd).expect("spawn grayscope");
        drop(pair.slave);
        Pty {
            child,
            master: pair.master,
            writer,
            screen,
            spawned,
            home,
            seen,
        }
    }

    /// The text on the emulated screen.
    pub fn contents(&self) -> String {
        self.screen.lock().expect("lock").screen().contents()
    }

    /// Types `keys`.
    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush");
    }
}
