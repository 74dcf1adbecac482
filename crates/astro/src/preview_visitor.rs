//! The preview data visitor (`manage::Visitor`): the reference's `PreviewVisitor`
//! (caom2pipe.md §4.1) with native rendering ([`crate::preview`]) in place of matplotlib,
//! ds9 and ImageMagick.
//!
//! For the first file of the entry that is FITS on local disk (and not skipped by name by
//! the style), it draws the preview and thumbnail the collection's [`PreviewStyle`] asks
//! for, puts both into storage (before the record is written: data visitors run before the
//! write) and adds or updates their artifacts — product types and release types from the
//! style, URIs `<preview_scheme>:<collection>/<name>`, content type, length and md5 — in the
//! plane that holds the file's artifact. Offline (scrape, no storage) the files are left in
//! the entry's workspace, as the reference leaves them.
//!
//! Input that gives no preview (no finite pixel, a constant or 1-pixel image, a truncated
//! data unit, ...) does not fail the entry: the reason is logged as a warning and noted
//! under `no_preview` ([`manage::EntryLog::note`]), so the runner reports it, and the
//! record is written without previews. A storage failure does fail the entry (it is retried).

use caom2::{Artifact, Observation, Uri};
use manage::preview::PreviewStyle;
use manage::storage_name::file_name_of;
use manage::{
    content_type_of, log_at, note_at, EntryError, Level, Reason, VisitContext, VisitReport, Visitor,
};
use md5::{Digest, Md5};

use crate::preview::{self, Picture};

/// The preview and thumbnail file names of an entry for a style: the style's templates, or
/// the StorageName's `prev` and `thumb` with the style's extension.
pub fn file_names(style: &PreviewStyle, sn: &manage::StorageName) -> (String, String) {
    let prev = style
        .preview_file_name(&sn.obs_id, &sn.product_id, &sn.file_id)
        .unwrap_or_else(|| style.with_extension(&sn.prev));
    let thumb = style
        .thumbnail_file_name(&sn.obs_id, &sn.product_id, &sn.file_id)
        .unwrap_or_else(|| style.with_extension(&sn.thumb));
    (prev, thumb)
}

/// Makes previews and thumbnails in a collection's style.
#[derive(Clone, Debug)]
pub struct PreviewVisitor {
    style: PreviewStyle,
}

impl PreviewVisitor {
    pub fn new(style: PreviewStyle) -> PreviewVisitor {
        PreviewVisitor { style }
    }

    pub fn style(&self) -> &PreviewStyle {
        &self.style
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Visitor for PreviewVisitor {
    fn name(&self) -> &str {
        "preview"
    }

    fn visit(
        &self,
        observation: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let mut report = VisitReport::new();
        let sn = ctx.storage_name;
        for file in ctx.files {
            let Some(path) = &file.local_path else {
                continue;
            };
            let local_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // pixels only: FITS, and not a header dump that describes a file we do not have
            if content_type_of(&file.uri) != "application/fits" || local_name.contains(".header") {
                continue;
            }
            if self.style.skips(file_name_of(&file.uri)) {
                log_at!(
                    ctx.log,
                    Level::Debug,
                    "{}: no preview for this kind of file",
                    file.uri
                );
                report.add("skipped", 1);
                continue;
            }
            // the plane of the science artifact; the entry's product first, as the reference
            let holds = |p: &caom2::Plane| p.artifacts.iter().any(|a| a.uri.as_str() == file.uri);
            let index = observation
                .planes
                .iter()
                .position(|p| p.product_id == sn.product_id && holds(p))
                .or_else(|| observation.planes.iter().position(holds));
            let Some(index) = index else {
                log_at!(
                    ctx.log,
                    Level::Debug,
                    "{}: no plane holds this artifact, so no preview",
                    file.uri
                );
                continue;
            };
            let previews = match preview::make(path, &self.style, &sn.file_id) {
                Ok(p) => p,
                Err(e) => {
                    note_at!(
                        ctx.log,
                        Reason::NoPreview,
                        "no preview for {}: {e}",
                        file.uri
                    );
                    report.add("no_preview", 1);
                    return Ok(report);
                }
            };
            log_at!(
                ctx.log,
                Level::Info,
                "preview of {}: {}",
                file.uri,
                previews.description
            );
            let (prev_name, thumb_name) = file_names(&self.style, sn);
            let plane = &mut observation.planes[index];
            for (name, picture, product, release) in [
                (
                    &prev_name,
                    &previews.preview,
                    &self.style.preview_product,
                    self.style.preview_release,
                ),
                (
                    &thumb_name,
                    &previews.thumbnail,
                    &self.style.thumbnail_product,
                    self.style.thumbnail_release,
                ),
            ] {
                let uri_text = format!("{}:{}/{name}", ctx.config.preview_scheme, sn.collection);
                let uri = Uri::parse(&uri_text)
                    .map_err(|e| EntryError::failed(format!("preview URI {uri_text:?}: {e}")))?;
                store(ctx, &uri_text, name, picture)?;
                let md5 = md5_hex(&picture.bytes);
                let checksum = Uri::parse(&format!("md5:{md5}"))
                    .map_err(|e| EntryError::failed(format!("md5:{md5}: {e}")))?;
                let artifact = match plane.artifacts.iter_mut().find(|a| a.uri == uri) {
                    Some(a) => a,
                    None => {
                        plane
                            .artifacts
                            .push(Artifact::new(uri.clone(), product.clone(), release));
                        report.add("artifacts", 1);
                        let last = plane.artifacts.len() - 1;
                        &mut plane.artifacts[last]
                    }
                };
                artifact.product_type = product.clone();
                artifact.release_type = release;
                artifact.content_type = Some(picture.format.content_type().to_string());
                artifact.content_length = Some(picture.bytes.len() as i64);
                artifact.content_checksum = Some(checksum);
            }
            report.add("previews", 1);
            return Ok(report);
        }
        Ok(report)
    }
}

/// Puts a picture into storage, or offline leaves it in the workspace.
fn store(
    ctx: &VisitContext<'_>,
    uri: &str,
    name: &str,
    picture: &Picture,
) -> Result<(), EntryError> {
    match ctx.storage {
        Some(storage) => {
            let (outcome, _) = storage
                .put(uri, &mut &picture.bytes[..], picture.format.content_type())
                .map_err(|e| EntryError::from(e).context(format_args!("storing {uri}")))?;
            log_at!(
                ctx.log,
                Level::Info,
                "{} {uri} ({} × {}, {} bytes)",
                if outcome == manage::PutOutcome::Stored {
                    "stored"
                } else {
                    "unchanged"
                },
                picture.width,
                picture.height,
                picture.bytes.len()
            );
        }
        None => {
            let path = ctx.workspace.join(name);
            std::fs::create_dir_all(ctx.workspace)
                .and_then(|()| std::fs::write(&path, &picture.bytes))
                .map_err(|e| EntryError::failed(format!("{}: {e}", path.display())))?;
            log_at!(ctx.log, Level::Info, "wrote {}", path.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_style() {
        let ctx = manage::NamingContext::new("OMM", "cadc", "cadc");
        let sn = manage::StorageName::from_entry("/d/C170324_0054_SCI.fits.gz", &ctx);
        assert_eq!(
            file_names(&PreviewStyle::omm(), &sn),
            (
                "C170324_0054_SCI_prev.jpg".into(),
                "C170324_0054_SCI_prev_256.jpg".into()
            )
        );
        assert_eq!(
            file_names(&PreviewStyle::default(), &sn),
            (
                "C170324_0054_SCI_prev.jpg".into(),
                "C170324_0054_SCI_prev_256.jpg".into()
            )
        );
        let png = PreviewStyle {
            format: manage::preview::ImageFormat::Png,
            ..PreviewStyle::default()
        };
        assert_eq!(file_names(&png, &sn).1, "C170324_0054_SCI_prev_256.png");
    }
}
