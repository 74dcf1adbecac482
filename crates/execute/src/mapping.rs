//! The blueprint mapping as a meta visitor: `fits2caom2`'s engine applied to every file of an
//! entry, with the headers and file information the pipeline already read.
//!
//! Collections choose the blueprint per file ([`BlueprintVisitor::with_choice`]) and give the
//! function module their blueprints call; the generic collection uses one blueprint for every
//! file and no module.

use std::path::PathBuf;

use caom2::{Observation, Uri};
use fits2caom2::blueprint::Blueprint;
use fits2caom2::engine::{Engine, Input, InputData, MapError, MapOptions};
use fits2caom2::functions::Module;
use fits2caom2::SourceKind;
use manage::{
    log_at, Config, EntryError, Level, Reason, SetupError, StorageName, VisitContext, VisitReport,
    Visitor,
};

type Chooser = dyn Fn(&StorageName, &str) -> Option<usize> + Send + Sync;

/// Applies a blueprint to each file of an entry.
pub struct BlueprintVisitor {
    blueprints: Vec<Blueprint>,
    choose: Box<Chooser>,
    module: Option<Module>,
}

impl BlueprintVisitor {
    /// One blueprint for every file.
    pub fn new(blueprint: Blueprint, module: Option<Module>) -> BlueprintVisitor {
        BlueprintVisitor {
            blueprints: vec![blueprint],
            choose: Box::new(|_, _| Some(0)),
            module,
        }
    }

    /// Several blueprints; `choose(storage name, artifact URI)` gives the index of the one
    /// for a file, or `None` when no blueprint applies (the entry fails).
    pub fn with_choice(
        blueprints: Vec<Blueprint>,
        choose: impl Fn(&StorageName, &str) -> Option<usize> + Send + Sync + 'static,
        module: Option<Module>,
    ) -> BlueprintVisitor {
        BlueprintVisitor {
            blueprints,
            choose: Box::new(choose),
            module,
        }
    }

    /// Loads YAML blueprints, each for the file names matching its pattern (`*` and `?`
    /// wildcards; the first match wins), and checks that every function they call is in
    /// `module`.
    pub fn load(
        blueprints: &[(String, PathBuf)],
        module: Option<Module>,
    ) -> Result<BlueprintVisitor, SetupError> {
        let mut bps = Vec::new();
        let mut errors = Vec::new();
        for (_, path) in blueprints {
            match fits2caom2::blueprint::yaml::load_file(path) {
                Ok(bp) => bps.push(bp),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !errors.is_empty() {
            return Err(SetupError::new(errors.join("\n")));
        }
        let patterns: Vec<String> = blueprints.iter().map(|(p, _)| p.clone()).collect();
        let v = BlueprintVisitor::with_choice(
            bps,
            move |sn, _uri| patterns.iter().position(|p| glob_match(p, &sn.file_name)),
            module,
        );
        v.check()?;
        Ok(v)
    }

    /// A collection's mapping: the blueprints of config.yml's `blueprint:` when it names any
    /// (an astronomer's edited copy), else the blueprint the collection embeds (`yaml`, read
    /// from `path` at build time, named in messages); checked either way.
    pub fn embedded_or_configured(
        config: &Config,
        yaml: &str,
        path: &str,
        module: Module,
    ) -> Result<BlueprintVisitor, SetupError> {
        if !config.blueprint.is_empty() {
            return BlueprintVisitor::load(&config.blueprint, Some(module));
        }
        let bp = fits2caom2::blueprint::yaml::load_str(yaml, path)
            .map_err(|e| SetupError::new(e.to_string()))?;
        let v = BlueprintVisitor::new(bp, Some(module));
        v.check()?;
        Ok(v)
    }

    /// Every problem the engine finds in the blueprints before any file is read.
    pub fn check(&self) -> Result<(), SetupError> {
        let engine = Engine::new(self.module.as_ref(), MapOptions::default());
        let mut problems = Vec::new();
        for bp in &self.blueprints {
            problems.extend(
                engine
                    .check_functions(bp)
                    .into_iter()
                    .map(|e| e.to_string()),
            );
            if let Err(e) = bp.axes() {
                problems.push(e.to_string());
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SetupError::new(problems.join("\n")))
        }
    }

    /// The blueprint for file `uri` of the entry named `sn`.
    pub fn blueprint(&self, sn: &StorageName, uri: &str) -> Option<&Blueprint> {
        (self.choose)(sn, uri).and_then(|i| self.blueprints.get(i))
    }

    /// The function module the blueprints call.
    pub fn module(&self) -> Option<&Module> {
        self.module.as_ref()
    }
}

/// A mapping failure as an entry error: unreadable input is `bad_data`, a value the
/// blueprint cannot use is `bad_metadata` (the reference's "Cannot build an observation"),
/// a blueprint problem is a failure of the run's configuration (retried, never recorded as a
/// rejection of the file).
fn classify(e: MapError) -> EntryError {
    let message = e.to_string();
    match e {
        MapError::Blueprint(_) => EntryError::failed(message),
        MapError::Source(fits2caom2::SourceError::Io { .. }) => EntryError::failed(message),
        MapError::Source(_) => EntryError::rejected(Reason::BadData, message),
        _ => EntryError::rejected(
            Reason::BadMetadata,
            format!("{}: {message}", Reason::BadMetadata.phrase()),
        ),
    }
}

impl Visitor for BlueprintVisitor {
    fn name(&self) -> &str {
        "blueprint"
    }

    fn visit(
        &self,
        obs: &mut Observation,
        ctx: &VisitContext<'_>,
    ) -> Result<VisitReport, EntryError> {
        let sn = ctx.storage_name;
        let engine = Engine::new(self.module.as_ref(), MapOptions::default());
        if ctx.is_new && obs.planes.is_empty() {
            // Derived when a blueprint sets members, as the reference starts.
            let bps: Vec<&Blueprint> = ctx
                .files
                .iter()
                .filter_map(|f| self.blueprint(sn, &f.uri))
                .collect();
            *obs = Engine::new_observation(&sn.collection, &sn.obs_id, &bps);
        }
        let mut report = VisitReport::new();
        for f in ctx.files {
            let bp = self.blueprint(sn, &f.uri).ok_or_else(|| {
                EntryError::failed(format!(
                    "no blueprint matches {} (see `blueprint:` in config.yml)",
                    sn.file_name
                ))
            })?;
            let data = match (&f.headers, &f.local_path) {
                // HDF5 datasets are read through the file.
                (Some(h), Some(p)) if h.kind() == SourceKind::Hdf5 => InputData::Local(p.clone()),
                (Some(h), _) => InputData::Headers(h.clone()),
                (None, Some(p)) => InputData::Local(p.clone()),
                (None, None) => InputData::None,
            };
            let warnings = engine
                .augment(
                    obs,
                    Input {
                        product_id: sn.product_id.clone(),
                        uri: f.uri.clone(),
                        blueprint: bp,
                        data,
                    },
                )
                .map_err(classify)?;
            for w in warnings {
                log_at!(ctx.log, Level::Info, "{}: {w}", f.uri);
            }
            // Size, md5 and type as the pipeline read them (of the stored form: a .gz file
            // decompressed), which the engine does not see when it is given headers.
            if let Some(info) = &f.info {
                if let Some(a) = obs
                    .plane_mut(&sn.product_id)
                    .and_then(|p| p.artifact_mut(&f.uri))
                {
                    if let Some(size) = info.size {
                        a.content_length = i64::try_from(size).ok();
                    }
                    if let Some(sum) = info.checksum_uri() {
                        a.content_checksum = Uri::parse(&sum).ok();
                    }
                    if let Some(t) = &info.content_type {
                        a.content_type = Some(t.clone());
                    }
                }
            }
            report.add("files", 1);
        }
        Ok(report)
    }
}

/// Shell-style matching of a whole file name: `*` any run of characters, `?` one character.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("*", "a.fits"));
        assert!(glob_match("*o.fits", "2460392o.fits"));
        assert!(!glob_match("*o.fits", "2460392p.fits"));
        assert!(glob_match("dao_*", "dao_c180_2016_004568.fits.gz"));
        assert!(glob_match("C??????_*_SCI.fits", "C170323_0155_SCI.fits"));
        assert!(!glob_match("C??????_*_SCI.fits", "C17032_0155_SCI.fits"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }
}
