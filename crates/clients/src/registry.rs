//! Service endpoints: a resource ID (`ivo://cadc.nrc.ca/ams`) resolves to a capabilities
//! document through the registry, and a capability (standardID) to the base URL of the
//! interface that accepts our credentials.
//!
//! Resolution order for a resource ID:
//!
//! 1. an `http(s)://` "resource ID" is the service itself: its capabilities are at
//!    `<url>/capabilities` (handy for `caom2pipe serve`);
//! 2. the local override file, in the registry's own `resource-caps` format — one
//!    `resourceID = capabilitiesURL` per line, `#` comments — so tests and sandboxes need no
//!    registry;
//! 3. the registry's `resource-caps` list (CADC's by default), fetched once.
//!
//! Capabilities documents are fetched once per resource ID and kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use quick_xml::events::Event;
use reqwest::Method;
use url::Url;

use crate::auth::{Credentials, SECURITY_ANON};
use crate::error::{ClientError, ErrorKind};
use crate::http::{Http, Request};

/// CADC's registry list of resource IDs and capabilities URLs.
pub const CADC_REGISTRY: &str = "https://ws.cadc-ccda.hia-iha.nrc-cnrc.gc.ca/reg/resource-caps";

/// caom2repo observations, CAOM 2.4 documents.
pub const STD_OBSERVATIONS: &str = "vos://cadc.nrc.ca~vospace/CADC/std/CAOM2Repository#obs-1.2";
/// caom2repo deletions.
pub const STD_DELETIONS: &str = "vos://cadc.nrc.ca~vospace/CADC/std/CAOM2Repository#del-1.0";
/// Storage Inventory files (minoc).
pub const STD_FILES: &str = "http://www.opencadc.org/std/storage#files-1.0";
/// Table Access Protocol.
pub const STD_TAP: &str = "ivo://ivoa.net/std/TAP";
/// VOSI capabilities.
pub const STD_CAPABILITIES: &str = "ivo://ivoa.net/std/VOSI#capabilities";

/// One interface of a capability.
#[derive(Clone, Debug, PartialEq)]
pub struct Interface {
    pub access_url: String,
    /// Security method standardIDs; empty means anonymous.
    pub security_methods: Vec<String>,
}

/// One capability of a service.
#[derive(Clone, Debug, PartialEq)]
pub struct Capability {
    pub standard_id: String,
    pub interfaces: Vec<Interface>,
}

/// A VOSI capabilities document.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Capabilities {
    pub capabilities: Vec<Capability>,
}

impl Capabilities {
    /// Parses a capabilities document (namespace prefixes are ignored).
    pub fn parse(xml: &[u8], source: &str) -> Result<Capabilities, ClientError> {
        let mut r = quick_xml::Reader::from_reader(xml);
        let mut buf = Vec::new();
        let mut out = Capabilities::default();
        let mut in_access_url = false;
        let bad = |e: &dyn std::fmt::Display| {
            ClientError::protocol(source, format!("bad capabilities document: {e}"))
        };
        loop {
            let ev = r.read_event_into(&mut buf).map_err(|e| bad(&e))?;
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    let name = e.local_name();
                    let attr = |n: &[u8]| -> Option<String> {
                        e.attributes().flatten().find_map(|a| {
                            (a.key.local_name().as_ref() == n)
                                .then(|| String::from_utf8_lossy(&a.value).trim().to_string())
                        })
                    };
                    match name.as_ref() {
                        b"capability" => out.capabilities.push(Capability {
                            standard_id: attr(b"standardID").unwrap_or_default(),
                            interfaces: Vec::new(),
                        }),
                        b"interface" => {
                            if let Some(c) = out.capabilities.last_mut() {
                                c.interfaces.push(Interface {
                                    access_url: String::new(),
                                    security_methods: Vec::new(),
                                });
                            }
                        }
                        b"accessURL" => in_access_url = !empty,
                        b"securityMethod" => {
                            if let Some(i) = out
                                .capabilities
                                .last_mut()
                                .and_then(|c| c.interfaces.last_mut())
                            {
                                if let Some(id) = attr(b"standardID") {
                                    i.security_methods.push(id);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Event::Text(t) if in_access_url => {
                    let text = t.unescape().map_err(|e| bad(&e))?;
                    if let Some(i) = out
                        .capabilities
                        .last_mut()
                        .and_then(|c| c.interfaces.last_mut())
                    {
                        i.access_url.push_str(text.trim());
                    }
                }
                Event::End(ref e) if e.local_name().as_ref() == b"accessURL" => {
                    in_access_url = false
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if out.capabilities.is_empty() {
            return Err(bad(&"no <capability> elements"));
        }
        Ok(out)
    }

    /// The base URL of the first of `standard_ids` the service has, on the interface that
    /// takes `credentials` (an anonymous interface otherwise).
    pub fn endpoint(&self, standard_ids: &[&str], credentials: &Credentials) -> Option<Url> {
        let wanted = credentials.security_methods();
        for id in standard_ids {
            let Some(cap) = self.capabilities.iter().find(|c| c.standard_id == *id) else {
                continue;
            };
            let matches = |i: &Interface, methods: &[&str]| {
                i.security_methods
                    .iter()
                    .any(|m| methods.contains(&m.as_str()))
                    || (methods.contains(&SECURITY_ANON) && i.security_methods.is_empty())
            };
            let chosen = cap
                .interfaces
                .iter()
                .find(|i| matches(i, wanted))
                .or_else(|| cap.interfaces.iter().find(|i| matches(i, &[SECURITY_ANON])))
                .or_else(|| cap.interfaces.first())?;
            return Url::parse(&chosen.access_url).ok();
        }
        None
    }
}

/// Parses a `resource-caps` list: `resourceID = capabilitiesURL` per line.
pub fn parse_resource_caps(text: &str, source: &str) -> Result<HashMap<String, Url>, ClientError> {
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, url) = line.split_once('=').ok_or_else(|| {
            ClientError::new(
                ErrorKind::Registry,
                format!("{source}:{}", n + 1),
                "expected `resourceID = capabilitiesURL`",
            )
        })?;
        let url = Url::parse(url.trim()).map_err(|e| {
            ClientError::new(
                ErrorKind::Registry,
                format!("{source}:{}", n + 1),
                format!("bad URL {:?}: {e}", url.trim()),
            )
        })?;
        out.insert(id.trim().to_string(), url);
    }
    Ok(out)
}

/// Where to look resource IDs up.
#[derive(Clone, Debug, PartialEq)]
pub struct RegistryOptions {
    /// A local `resource-caps` file consulted first.
    pub override_file: Option<PathBuf>,
    /// The registry's `resource-caps` URL.
    pub registry_url: String,
}

impl Default for RegistryOptions {
    fn default() -> RegistryOptions {
        RegistryOptions {
            override_file: None,
            registry_url: CADC_REGISTRY.to_string(),
        }
    }
}

/// Resource ID resolution with caches.
pub struct Registry {
    http: Arc<Http>,
    options: RegistryOptions,
    overrides: HashMap<String, Url>,
    remote: Mutex<Option<HashMap<String, Url>>>,
    caps: Mutex<HashMap<String, Arc<Capabilities>>>,
}

impl Registry {
    /// Reads the override file now (so a bad one is reported at start-up).
    pub fn new(http: Arc<Http>, options: RegistryOptions) -> Result<Registry, ClientError> {
        let overrides = match &options.override_file {
            Some(p) => read_overrides(p)?,
            None => HashMap::new(),
        };
        Ok(Registry {
            http,
            options,
            overrides,
            remote: Mutex::new(None),
            caps: Mutex::new(HashMap::new()),
        })
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    /// The capabilities URL of a resource ID.
    pub fn capabilities_url(&self, resource_id: &str) -> Result<Url, ClientError> {
        if resource_id.starts_with("http://") || resource_id.starts_with("https://") {
            let base = resource_id.trim_end_matches('/');
            let u = if base.ends_with("/capabilities") {
                base.to_string()
            } else {
                format!("{base}/capabilities")
            };
            return Url::parse(&u).map_err(|e| {
                ClientError::new(ErrorKind::Registry, resource_id, format!("bad URL: {e}"))
            });
        }
        if let Some(u) = self.overrides.get(resource_id) {
            return Ok(u.clone());
        }
        let mut remote = self
            .remote
            .lock()
            .map_err(|_| ClientError::new(ErrorKind::Registry, resource_id, "lock poisoned"))?;
        if remote.is_none() {
            let url = Url::parse(&self.options.registry_url).map_err(|e| {
                ClientError::new(
                    ErrorKind::Registry,
                    &self.options.registry_url,
                    format!("bad registry URL: {e}"),
                )
            })?;
            let reply = self
                .http
                .send(&Request::new(Method::GET, url, "reg", "resource-caps"))?
                .success()?;
            *remote = Some(parse_resource_caps(
                reply.text()?,
                &self.options.registry_url,
            )?);
        }
        remote
            .as_ref()
            .and_then(|m| m.get(resource_id))
            .cloned()
            .ok_or_else(|| {
                let mut where_ = vec![self.options.registry_url.clone()];
                if let Some(p) = &self.options.override_file {
                    where_.insert(0, p.display().to_string());
                }
                ClientError::new(
                    ErrorKind::Registry,
                    resource_id,
                    format!("unknown resource ID (looked in {})", where_.join(" and ")),
                )
            })
    }

    /// The capabilities of a resource ID.
    pub fn capabilities(&self, resource_id: &str) -> Result<Arc<Capabilities>, ClientError> {
        if let Some(c) = self
            .caps
            .lock()
            .ok()
            .and_then(|m| m.get(resource_id).cloned())
        {
            return Ok(c);
        }
        let url = self.capabilities_url(resource_id)?;
        let reply = self
            .http
            .send(
                &Request::new(Method::GET, url.clone(), "reg", "capabilities").label(resource_id),
            )?
            .success()?;
        let caps = Arc::new(Capabilities::parse(&reply.body, url.as_str())?);
        if let Ok(mut m) = self.caps.lock() {
            m.insert(resource_id.to_string(), caps.clone());
        }
        Ok(caps)
    }

    /// The base URL of a capability of a resource, for the client's credentials.
    pub fn endpoint(&self, resource_id: &str, standard_ids: &[&str]) -> Result<Url, ClientError> {
        let caps = self.capabilities(resource_id)?;
        caps.endpoint(standard_ids, &self.http.options().credentials)
            .ok_or_else(|| {
                ClientError::new(
                    ErrorKind::Registry,
                    resource_id,
                    format!(
                        "the service has no capability {}",
                        standard_ids.join(" or ")
                    ),
                )
            })
    }
}

fn read_overrides(path: &Path) -> Result<HashMap<String, Url>, ClientError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ClientError::new(ErrorKind::Registry, &name, e.to_string()))?;
    parse_resource_caps(&text, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<vosi:capabilities xmlns:vosi="http://www.ivoa.net/xml/VOSICapabilities/v1.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:vs="http://www.ivoa.net/xml/VODataService/v1.1">
  <capability standardID="ivo://ivoa.net/std/VOSI#capabilities">
    <interface xsi:type="vs:ParamHTTP" role="std">
      <accessURL use="full">https://h/ams/capabilities</accessURL>
    </interface>
  </capability>
  <capability standardID="vos://cadc.nrc.ca~vospace/CADC/std/CAOM2Repository#obs-1.2">
    <interface xsi:type="vs:ParamHTTP" role="std" version="1.2">
      <accessURL use="base">https://h/ams/auth-observations</accessURL>
      <securityMethod standardID="ivo://ivoa.net/sso#tls-with-certificate"/>
      <securityMethod standardID="ivo://ivoa.net/sso#token"/>
    </interface>
    <interface xsi:type="vs:ParamHTTP" role="std" version="1.2">
      <accessURL use="base">https://h/ams/observations</accessURL>
    </interface>
  </capability>
</vosi:capabilities>"#;

    #[test]
    fn parses_capabilities_and_picks_interfaces() {
        let c = Capabilities::parse(CAPS.as_bytes(), "caps").unwrap();
        assert_eq!(c.capabilities.len(), 2);
        let anon = c
            .endpoint(&[STD_OBSERVATIONS], &Credentials::Anonymous)
            .unwrap();
        assert_eq!(anon.as_str(), "https://h/ams/observations");
        let tok = c
            .endpoint(&[STD_OBSERVATIONS], &Credentials::Token("t".into()))
            .unwrap();
        assert_eq!(tok.as_str(), "https://h/ams/auth-observations");
        assert!(c.endpoint(&[STD_FILES], &Credentials::Anonymous).is_none());
        assert!(Capabilities::parse(b"<x/>", "caps").is_err());
        assert!(Capabilities::parse(b"<capability", "caps").is_err());
    }

    #[test]
    fn resource_caps_lists() {
        let m = parse_resource_caps(
            "# comment\n\nivo://cadc.nrc.ca/ams = http://127.0.0.1:8080/capabilities\n",
            "f",
        )
        .unwrap();
        assert_eq!(
            m["ivo://cadc.nrc.ca/ams"].as_str(),
            "http://127.0.0.1:8080/capabilities"
        );
        let e = parse_resource_caps("ivo://x\n", "f").unwrap_err();
        assert_eq!(e.context, "f:1");
        assert!(parse_resource_caps("ivo://x = not a url\n", "f").is_err());
    }
}
