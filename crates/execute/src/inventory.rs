//! Storage Inventory as an incremental work source (the reference's
//! `QueryTimeBoxDataSource`): the files of the collection's namespace whose `lastModified`
//! falls in each time box, from the inventory's TAP service.
//!
//! The reference selects the namespace with `split_part(split_part(uri, '/', 1), ':', 2)`,
//! which no index can serve; here it is a URI prefix (`uri LIKE 'cadc:NEOSSAT/%'`), which
//! an index on `uri` can (the scheme is `scheme` of config.yml). Preview files (`%jpg`) are
//! left out, as the reference does.

use clients::tap::{inventory_time_box_query, parse_ivoa_time};
use clients::TapClient;
use jiff::Timestamp;

use crate::source::{SourceError, WorkItem, WorkSource};

/// Time boxes over one namespace of the inventory.
pub struct InventorySource {
    tap: TapClient,
    prefix: String,
    resource_id: String,
}

impl InventorySource {
    /// Files whose URI starts with `prefix` (e.g. `cadc:NEOSSAT/`), through the TAP service
    /// `tap` of `resource_id`.
    pub fn new(tap: TapClient, prefix: &str, resource_id: &str) -> InventorySource {
        InventorySource {
            tap,
            prefix: prefix.to_string(),
            resource_id: resource_id.to_string(),
        }
    }
}

impl WorkSource for InventorySource {
    fn describe(&self) -> String {
        format!(
            "Storage Inventory files {}* by lastModified ({}, {})",
            self.prefix,
            self.resource_id,
            self.tap.base()
        )
    }

    fn get_work(&mut self) -> Result<Vec<WorkItem>, SourceError> {
        self.time_box_work(Timestamp::UNIX_EPOCH, Timestamp::now())
    }

    fn time_box_work(
        &mut self,
        prev: Timestamp,
        cur: Timestamp,
    ) -> Result<Vec<WorkItem>, SourceError> {
        let q = inventory_time_box_query(&self.prefix, prev, cur);
        let table = self
            .tap
            .query(&q)
            .map_err(|e| SourceError::Service(e.to_string()))?;
        let (Some(u), Some(t)) = (table.column("uri"), table.column("lastModified")) else {
            return Err(SourceError::Service(format!(
                "{}: the answer has no uri and lastModified columns",
                self.describe()
            )));
        };
        let mut items = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let uri = &row[u];
            // `_` in the LIKE pattern matches any character: keep the real prefix only
            if !uri.starts_with(&self.prefix) {
                continue;
            }
            let time = parse_ivoa_time(&row[t]).ok_or_else(|| {
                SourceError::Service(format!("{uri}: bad lastModified {:?}", row[t]))
            })?;
            items.push(WorkItem {
                source: uri.clone(),
                key: Some(format!("{uri}@{}", time.as_nanosecond())),
                local: None,
                time: Some(time),
            });
        }
        items.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.source.cmp(&b.source)));
        Ok(items)
    }
}
