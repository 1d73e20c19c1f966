//! The Site Manager's form: the text fields of a site that are not strings
//! in [`Site`] (port, folders, time zone, port range, external address,
//! connection limit), kept as typed, and their parsing back into a site.
//!
//! Pure: no drawing, no keyring, no files. It must not read a stored
//! password; the password field holds only what was typed in this dialog.

use std::net::IpAddr;
use std::path::PathBuf;

use super::i18n::tr;
use crate::sites::model::parse_port;
use crate::sites::{FieldError, Site};

/// Text fields that are not strings in [`Site`], kept as typed.
#[derive(Debug, Default, Clone)]
pub(super) struct Form {
    pub(super) port: String,
    pub(super) password: String,
    pub(super) password_changed: bool,
    pub(super) local_dir: String,
    pub(super) remote_dir: String,
    pub(super) timezone: String,
    pub(super) port_from: String,
    pub(super) port_to: String,
    pub(super) external_ip: String,
    pub(super) max_connections: String,
    pub(super) limit_connections: bool,
    pub(super) key_file: String,
}

impl Form {
    /// The fields as `site` fills them (the password is never read).
    pub(super) fn of(site: &Site) -> Self {
        Self {
            port: site.port.to_string(),
            password: String::new(),
            password_changed: false,
            local_dir: site
                .local_dir
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            remote_dir: site.remote_dir.clone().unwrap_or_default(),
            timezone: site.timezone_offset_minutes.to_string(),
            port_from: site
                .active_port_range
                .map(|r| r.0.to_string())
                .unwrap_or_default(),
            port_to: site
                .active_port_range
                .map(|r| r.1.to_string())
                .unwrap_or_default(),
            external_ip: site
                .external_ip
                .map(|ip| ip.to_string())
                .unwrap_or_default(),
            max_connections: site.max_connections.unwrap_or(2).to_string(),
            limit_connections: site.max_connections.is_some(),
            key_file: site
                .key_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        }
    }

    /// Writes the parsable fields into `site`; returns the fields that do not parse.
    pub(super) fn apply(&self, site: &mut Site) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut error =
            |field: &'static str, message: String| errors.push(FieldError { field, message });
        match parse_port(&self.port) {
            Ok(port) => site.port = port,
            Err(message) => error("port", message),
        }
        site.local_dir =
            (!self.local_dir.trim().is_empty()).then(|| PathBuf::from(self.local_dir.trim()));
        site.key_file =
            (!self.key_file.trim().is_empty()).then(|| PathBuf::from(self.key_file.trim()));
        site.remote_dir =
            (!self.remote_dir.trim().is_empty()).then(|| self.remote_dir.trim().to_string());
        match self.timezone.trim() {
            "" => site.timezone_offset_minutes = 0,
            text => match text.parse::<i32>() {
                Ok(minutes) => site.timezone_offset_minutes = minutes,
                Err(_) => error(
                    "timezone_offset_minutes",
                    tr!("site-error-minutes", text = text),
                ),
            },
        }
        match (self.port_from.trim(), self.port_to.trim()) {
            ("", "") => site.active_port_range = None,
            (from, to) => match (parse_port(from), parse_port(to)) {
                (Ok(a), Ok(b)) => site.active_port_range = Some((a, b)),
                _ => error("active_port_range", tr!("site-error-port-range")),
            },
        }
        match self.external_ip.trim() {
            "" => site.external_ip = None,
            text => match text.parse::<IpAddr>() {
                Ok(ip) => site.external_ip = Some(ip),
                Err(_) => error("external_ip", tr!("site-error-ip", text = text)),
            },
        }
        if self.limit_connections {
            match self.max_connections.trim().parse::<u8>() {
                Ok(n) => site.max_connections = Some(n),
                Err(_) => error("max_connections", tr!("site-error-connections")),
            }
        } else {
            site.max_connections = None;
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_bad_ones_are_named() {
        let mut site = Site {
            port: 2121,
            max_connections: Some(3),
            ..Site::default()
        };
        let mut form = Form::of(&site);
        assert_eq!((form.port.as_str(), form.limit_connections), ("2121", true));
        form.port = "0".to_string();
        form.external_ip = "not-an-ip".to_string();
        form.port_from = "5000".to_string();
        form.remote_dir = " /pub ".to_string();
        let fields: Vec<&str> = form.apply(&mut site).iter().map(|e| e.field).collect();
        assert_eq!(fields, ["port", "active_port_range", "external_ip"]);
        assert_eq!(site.port, 2121, "a bad port leaves the old one");
        assert_eq!(site.remote_dir.as_deref(), Some("/pub"));
    }
}
