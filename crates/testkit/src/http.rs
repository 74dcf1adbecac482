//! A loopback web server of fixed pages, and Apache-style directory listings, for tests of
//! the HTTP listing work source.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

/// Serves `pages` (path → body) over HTTP/1.1 on loopback, one request per connection, 404
/// for any other path. Returns the address and the paths requested so far, in order.
pub fn serve_pages(pages: HashMap<String, Vec<u8>>) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("the bound address");
    let requested = Arc::new(Mutex::new(Vec::new()));
    let log = requested.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let Ok(read_half) = s.try_clone() else {
                continue;
            };
            let mut r = BufReader::new(read_half);
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            if let Ok(mut l) = log.lock() {
                l.push(path.clone());
            }
            let resp = match pages.get(&path) {
                Some(body) => {
                    let mut v = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    v.extend_from_slice(body);
                    v
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = s.write_all(&resp);
        }
    });
    (addr, requested)
}

/// An Apache-style directory page listing `(name, "YYYY-MM-DD HH:MM")` entries (names of
/// subdirectories end in `/`), with the sort link and parent link real pages have.
pub fn apache_listing(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut s = String::from(
        "<html><head><title>Index of /</title></head><body><pre><a href=\"?C=N;O=D\">Name</a>\n<a href=\"../\">Parent Directory</a>  -\n",
    );
    for (name, time) in entries {
        s.push_str(&format!("<a href=\"{name}\">{name}</a>    {time}  1.0K\n"));
    }
    s.push_str("</pre></body></html>\n");
    s.into_bytes()
}
