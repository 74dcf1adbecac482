//! Generated sample observations with every field of the model set: for tests, benchmarks and
//! the records in `testdata/`. Ids come from a seed, so the same call gives the same document.

use crate::artifact::{Artifact, Chunk, Part};
use crate::entity::Entity;
use crate::observation::*;
use crate::plane::*;
use crate::shape::*;
use crate::timestamp::Timestamp;
use crate::uri::Uri;
use crate::vocabulary::*;
use crate::wcs::*;
use uuid::Uuid;

/// Hands out version-4-shaped ids from a seed (a simple LCG, not random, so output is stable).
pub struct IdSource(u64);

impl IdSource {
    pub fn new(seed: u64) -> IdSource {
        IdSource(seed)
    }

    pub fn next_id(&mut self) -> Uuid {
        let mut next = || {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0
        };
        let (hi, lo) = (next(), next());
        uuid::Builder::from_random_bytes(((u128::from(hi) << 64) | u128::from(lo)).to_be_bytes())
            .into_uuid()
    }

    pub fn entity(&mut self, when: Timestamp) -> Entity {
        let mut e = Entity::with_id(self.next_id());
        e.last_modified = Some(when);
        e.max_last_modified = Some(when);
        e
    }
}

fn uri(s: &str) -> Uri {
    Uri::parse(s).unwrap_or_else(|e| panic!("sample URI: {e}"))
}

fn axis1d(ctype: &str, cunit: Option<&str>, start: f64, end: f64, naxis: i64) -> CoordAxis1D {
    let range = CoordRange1D {
        start: RefCoord::new(0.5, start),
        end: RefCoord::new(naxis as f64 + 0.5, end),
    };
    CoordAxis1D {
        axis: Axis::new(ctype, cunit),
        error: Some(CoordError {
            syser: 1.0,
            rnder: 1.5,
        }),
        range: Some(range),
        bounds: Some(CoordBounds1D {
            samples: vec![range],
        }),
        function: Some(CoordFunction1D {
            naxis,
            delta: (end - start) / naxis as f64,
            ref_coord: RefCoord::new(0.5, start),
        }),
    }
}

/// A chunk with every WCS filled in, centred near (ra, dec).
pub fn complete_chunk(ids: &mut IdSource, when: Timestamp, ra: f64, dec: f64) -> Chunk {
    let mut position = CoordAxis2D::new(
        Axis::new("RA---TAN", Some("deg")),
        Axis::new("DEC--TAN", Some("deg")),
    );
    position.error1 = Some(CoordError {
        syser: 1.0e-5,
        rnder: 2.5e-6,
    });
    position.error2 = Some(CoordError {
        syser: 1.0e-5,
        rnder: 2.5e-6,
    });
    let c = |pix, val| RefCoord::new(pix, val);
    position.range = Some(CoordRange2D {
        start: Coord2D {
            coord1: c(0.5, ra - 0.1),
            coord2: c(0.5, dec - 0.1),
        },
        end: Coord2D {
            coord1: c(2048.5, ra + 0.1),
            coord2: c(2048.5, dec + 0.1),
        },
    });
    position.bounds = Some(CoordBounds2D::Polygon(CoordPolygon2D {
        vertices: vec![
            ValueCoord2D {
                coord1: ra + 0.1,
                coord2: dec - 0.1,
            },
            ValueCoord2D {
                coord1: ra + 0.1,
                coord2: dec + 0.1,
            },
            ValueCoord2D {
                coord1: ra - 0.1,
                coord2: dec + 0.1,
            },
            ValueCoord2D {
                coord1: ra - 0.1,
                coord2: dec - 0.1,
            },
        ],
    }));
    position.function = Some(CoordFunction2D {
        dimension: Dimension2D {
            naxis1: 2048,
            naxis2: 2048,
        },
        ref_coord: Coord2D {
            coord1: c(1024.5, ra),
            coord2: c(1024.5, dec),
        },
        cd11: -9.765625e-5,
        cd12: 0.0,
        cd21: 0.0,
        cd22: 9.765625e-5,
    });
    let mut spatial = SpatialWcs::new(position);
    spatial.coordsys = Some("ICRS".into());
    spatial.equinox = Some(2000.0);
    spatial.resolution = Some(0.75);

    let mut energy = SpectralWcs::new(axis1d("WAVE", Some("m"), 4.0e-7, 7.0e-7, 3), "BARYCENT");
    energy.ssysobs = Some("TOPOCENT".into());
    energy.ssyssrc = Some("BARYCENT".into());
    energy.restfrq = Some(1.420405752e9);
    energy.restwav = Some(0.21106114);
    energy.velosys = Some(2.5e4);
    energy.zsource = Some(0.0015);
    energy.velang = Some(45.0);
    energy.bandpass_name = Some("r'".into());
    energy.resolving_power = Some(3000.0);
    energy.transition = Some(EnergyTransition {
        species: "H".into(),
        transition: "H-alpha".into(),
    });

    let mut time = TemporalWcs::new(axis1d("TIME", Some("d"), 59000.25, 59000.26, 1));
    time.timesys = Some("UTC".into());
    time.trefpos = Some("TOPOCENTER".into());
    time.mjdref = Some(0.0);
    time.exposure = Some(864.0);
    time.resolution = Some(864.0);

    let slice = |ctype: &str| Slice {
        axis: Axis::new(ctype, Some("ct")),
        bin: 1,
    };
    Chunk {
        entity: ids.entity(when),
        product_type: Some(ProductType::SCIENCE),
        // the Python reader refuses naxis > 6; an observable axis beyond naxis is allowed
        naxis: Some(6),
        observable_axis: Some(7),
        position_axis1: Some(1),
        position_axis2: Some(2),
        energy_axis: Some(3),
        time_axis: Some(4),
        polarization_axis: Some(5),
        custom_axis: Some(6),
        observable: Some(ObservableAxis {
            dependent: slice("flux"),
            independent: Some(slice("wavelength")),
        }),
        position: Some(spatial),
        energy: Some(energy),
        time: Some(time),
        polarization: Some(PolarizationWcs {
            axis: axis1d("STOKES", None, 1.0, 4.0, 4),
        }),
        custom: Some(CustomWcs {
            axis: axis1d("FARADAY", Some("rad/m**2"), -100.0, 100.0, 10),
        }),
    }
}

/// A derived observation with every optional field set: `planes` planes, each with `artifacts`
/// artifacts of `parts` parts of `chunks` chunks.
pub fn observation(
    seed: u64,
    planes: usize,
    artifacts: usize,
    parts: usize,
    chunks: usize,
) -> Observation {
    let mut ids = IdSource::new(seed);
    let when = Timestamp(1_700_000_000_123);
    let release = Timestamp(1_731_000_000_000);
    let keywords = vec!["alpha".to_string(), "beta".to_string()];

    let mut obs = Observation::derived("TEST", "sample-observation", Algorithm::new("stack"));
    obs.entity = ids.entity(when);
    obs.entity.meta_producer = Some(uri("caom2pipe:sample-0.1"));
    if let ObservationKind::Derived { members } = &mut obs.kind {
        members.push(uri("caom:TEST/member-1"));
        members.push(uri("caom:TEST/member-2"));
    }
    obs.meta_release = Some(release);
    obs.meta_read_groups = vec![uri("ivo://cadc.nrc.ca/gms?TEST-meta")];
    obs.sequence_number = Some(12345);
    obs.obs_type = Some("OBJECT".into());
    obs.intent = Some(ObservationIntentType::Science);
    obs.proposal = Some(Proposal {
        id: "P-2026A-001".into(),
        pi: Some("A. Astronomer".into()),
        project: Some("Survey".into()),
        title: Some("Sample & test <records>".into()),
        keywords: keywords.clone(),
    });
    obs.target = Some(Target {
        name: "M 31".into(),
        target_id: Some(uri("naif:1701")),
        target_type: Some(TargetType::Object),
        standard: Some(false),
        redshift: Some(-0.001),
        moving: Some(false),
        keywords: keywords.clone(),
    });
    obs.target_position = Some(TargetPosition {
        coordsys: "ICRS".into(),
        equinox: Some(2000.0),
        coordinates: Point::new(10.6847, 41.2690),
    });
    obs.requirements = Some(Requirements { flag: Status::FAIL });
    obs.telescope = Some(Telescope {
        name: "Sample 1.6m".into(),
        geo_location_x: Some(1_224_275.8),
        geo_location_y: Some(-4_357_519.4),
        geo_location_z: Some(4_461_218.2),
        keywords: keywords.clone(),
    });
    obs.instrument = Some(Instrument {
        name: "Imager".into(),
        keywords: keywords.clone(),
    });
    obs.environment = Some(Environment {
        seeing: Some(0.8),
        humidity: Some(35.0),
        elevation: Some(67.5),
        tau: Some(0.07),
        wavelength_tau: Some(4.5e-4),
        ambient_temp: Some(-3.5),
        photometric: Some(true),
    });

    for pi in 0..planes {
        let pid = format!("product-{pi}");
        let mut plane = Plane::new(&pid);
        plane.entity = ids.entity(when);
        plane.entity.meta_producer = Some(uri("caom2pipe:sample-0.1"));
        plane.creator_id = Some(uri(&format!(
            "ivo://example.org/TEST?sample-observation/{pid}"
        )));
        plane.meta_release = Some(release);
        plane.meta_read_groups = vec![uri("ivo://cadc.nrc.ca/gms?TEST-meta")];
        plane.data_release = Some(release);
        // java.net.URI order puts gms?… before gms2?…, plain string order the other way round:
        // the Java checksum (the reference) depends on it, Python's does not follow it
        plane.data_read_groups = vec![
            uri("ivo://cadc.nrc.ca/gms?TEST-data"),
            uri("ivo://cadc.nrc.ca/gms2?A"),
        ];
        plane.data_product_type = Some(DataProductType::IMAGE);
        plane.calibration_level = Some(CalibrationLevel::Calibrated);
        plane.provenance = Some(Provenance {
            name: "stacker".into(),
            version: Some("1.2".into()),
            project: Some("Survey".into()),
            producer: Some("Sample Observatory".into()),
            run_id: Some("run-42".into()),
            reference: Some(uri("https://example.org/pipeline")),
            last_executed: Some(when),
            keywords: keywords.clone(),
            inputs: vec![uri("caom:TEST/member-1/raw"), uri("caom:TEST/member-2/raw")],
        });
        plane.observable = Some(Observable {
            ucd: "phot.count".into(),
        });
        plane.metrics = Some(Metrics {
            source_number_density: Some(100.0),
            background: Some(33.3),
            background_stddev: Some(0.2),
            flux_density_limit: Some(1.0e-8),
            mag_limit: Some(27.5),
            sample_snr: Some(2.7),
        });
        plane.quality = Some(DataQuality {
            flag: Quality::Junk,
        });
        plane.position = Some(Position {
            // counter-clockwise by the CAOM convention: negative signed area with RA to the left
            bounds: Some(Shape::Polygon(Polygon::from_points(vec![
                Point::new(10.5, 41.1),
                Point::new(10.5, 41.4),
                Point::new(10.8, 41.4),
                Point::new(10.8, 41.1),
            ]))),
            dimension: Some(Dimension2D {
                naxis1: 2048,
                naxis2: 2048,
            }),
            resolution: Some(0.75),
            resolution_bounds: Some(Interval::new(0.6, 0.9)),
            sample_size: Some(0.3515625),
            time_dependent: Some(false),
        });
        plane.energy = Some(Energy {
            bounds: Some(SampledInterval {
                lower: 4.0e-7,
                upper: 9.0e-7,
                samples: vec![Interval::new(4.0e-7, 7.0e-7), Interval::new(8.0e-7, 9.0e-7)],
            }),
            dimension: Some(3),
            resolving_power: Some(3000.0),
            resolving_power_bounds: Some(Interval::new(2500.0, 3500.0)),
            sample_size: Some(1.0e-7),
            bandpass_name: Some("r'".into()),
            energy_bands: vec![EnergyBand::Optical, EnergyBand::Infrared],
            restwav: Some(6.563e-7),
            transition: Some(EnergyTransition {
                species: "H".into(),
                transition: "H-alpha".into(),
            }),
        });
        plane.time = Some(Time {
            bounds: Some(SampledInterval::single(59000.25, 59000.26)),
            dimension: Some(1),
            resolution: Some(864.0),
            resolution_bounds: Some(Interval::new(800.0, 900.0)),
            sample_size: Some(0.01),
            exposure: Some(864.0),
        });
        plane.polarization = Some(Polarization {
            states: vec![
                PolarizationState::I,
                PolarizationState::Q,
                PolarizationState::U,
                PolarizationState::V,
            ],
            dimension: Some(4),
        });
        plane.custom = Some(CustomAxis {
            ctype: "FARADAY".into(),
            bounds: Some(SampledInterval::single(-100.0, 100.0)),
            dimension: Some(10),
        });
        for ai in 0..artifacts {
            let mut a = Artifact::new(
                uri(&format!("cadc:TEST/sample-{pi}-{ai}.fits")),
                ProductType::SCIENCE,
                ReleaseType::Data,
            );
            a.entity = ids.entity(when);
            a.content_release = Some(release);
            a.content_read_groups = vec![uri("ivo://cadc.nrc.ca/gms?TEST-data")];
            a.content_type = Some("application/fits".into());
            a.content_length = Some(16_781_760);
            a.content_checksum = Some(uri("md5:0123456789abcdef0123456789abcdef"));
            for ti in 0..parts {
                let mut part = Part::new(ti.to_string());
                part.entity = ids.entity(when);
                part.product_type = Some(ProductType::SCIENCE);
                for ci in 0..chunks {
                    let ra = 10.6847 + 0.01 * (ai * parts * chunks + ti * chunks + ci) as f64;
                    part.chunks.push(complete_chunk(&mut ids, when, ra, 41.269));
                }
                a.parts.push(part);
            }
            plane.artifacts.push(a);
        }
        obs.planes.push(plane);
    }
    crate::checksum::update_checksums(&mut obs);
    obs
}

/// The standard complete sample: 2 planes × 2 artifacts × 2 parts × 2 chunks, the shape of the
/// reference library's own sample documents.
pub fn complete_observation() -> Observation {
    observation(2024, 2, 2, 2, 2)
}

/// A minimal simple observation: only the required fields and one plane.
pub fn minimal_observation() -> Observation {
    let mut ids = IdSource::new(7);
    let when = Timestamp(1_700_000_000_000);
    let mut obs = Observation::simple("TEST", "minimal-observation");
    obs.entity = ids.entity(when);
    let mut plane = Plane::new("raw");
    plane.entity = ids.entity(when);
    let mut a = Artifact::new(
        uri("cadc:TEST/minimal.fits"),
        ProductType::SCIENCE,
        ReleaseType::Data,
    );
    a.entity = ids.entity(when);
    plane.artifacts.push(a);
    obs.planes.push(plane);
    crate::checksum::update_checksums(&mut obs);
    obs
}

/// A mosaic camera exposure: one plane, one artifact, 36 extensions of one chunk each.
pub fn mosaic_observation() -> Observation {
    let mut obs = observation(36, 1, 1, 36, 1);
    obs.kind = ObservationKind::Simple;
    obs.algorithm = Algorithm::new("exposure");
    obs.observation_id = "mosaic-exposure".into();
    crate::checksum::update_checksums(&mut obs);
    obs
}

/// The records kept in `testdata/records/`, by file name.
pub fn records() -> Vec<(&'static str, Observation)> {
    vec![
        ("complete-derived.xml", complete_observation()),
        ("minimal-simple.xml", minimal_observation()),
        ("mosaic-36-extensions.xml", mosaic_observation()),
    ]
}
