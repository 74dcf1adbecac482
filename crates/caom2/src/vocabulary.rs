//! Controlled vocabularies of CAOM 2.4: closed enumerations (declaration order is the Java
//! sort order) and open vocabularies (a base term, or `namespace#term`).

use std::borrow::Cow;
use std::fmt;

/// A value that is not in a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {vocabulary}")]
pub struct VocabularyError {
    pub vocabulary: &'static str,
    pub value: String,
}

macro_rules! closed_vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration (sort) order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in XML and digested in checksums.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Result<$name, VocabularyError> {
                match text.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(VocabularyError { vocabulary: stringify!($name), value: other.to_string() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

closed_vocabulary!(
    /// Observation.intent.
    ObservationIntentType { Science = "science", Calibration = "calibration" }
);
closed_vocabulary!(
    /// Artifact.releaseType: which release date governs access to the file.
    ReleaseType { Data = "data", Meta = "meta" }
);
closed_vocabulary!(
    /// Target.type.
    TargetType { Object = "object", Field = "field" }
);
closed_vocabulary!(
    /// DataQuality.flag.
    Quality { Junk = "junk" }
);
closed_vocabulary!(
    /// Energy.energyBands; the order is the Java enum order.
    EnergyBand {
        Radio = "Radio",
        Millimeter = "Millimeter",
        Infrared = "Infrared",
        Optical = "Optical",
        Uv = "UV",
        Euv = "EUV",
        XRay = "X-ray",
        GammaRay = "Gamma-ray",
    }
);
closed_vocabulary!(
    /// Polarization.states; the order is the Java enum order.
    PolarizationState {
        I = "I", Q = "Q", U = "U", V = "V",
        RR = "RR", LL = "LL", RL = "RL", LR = "LR",
        XX = "XX", YY = "YY", XY = "XY", YX = "YX",
        Poli = "POLI", Fpoli = "FPOLI", Pola = "POLA", Epoli = "EPOLI", Cpoli = "CPOLI", Npoli = "NPOLI",
    }
);

impl PolarizationState {
    /// The FITS STOKES code of the state (I..V = 1..4, RR..YX = −1..−8, POLI.. = 5..10).
    pub fn fits_code(self) -> i32 {
        use PolarizationState::*;
        match self {
            I => 1,
            Q => 2,
            U => 3,
            V => 4,
            Poli => 5,
            Fpoli => 6,
            Pola => 7,
            Epoli => 8,
            Cpoli => 9,
            Npoli => 10,
            RR => -1,
            LL => -2,
            RL => -3,
            LR => -4,
            XX => -5,
            YY => -6,
            XY => -7,
            YX => -8,
        }
    }

    /// The state of a FITS STOKES code, or None for a code outside the table.
    pub fn from_fits_code(code: i32) -> Option<PolarizationState> {
        PolarizationState::ALL
            .iter()
            .copied()
            .find(|s| s.fits_code() == code)
    }
}

/// Plane.calibrationLevel, written as its integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CalibrationLevel {
    Planned,
    RawInstrumental,
    RawStandard,
    Calibrated,
    Product,
    AnalysisProduct,
}

impl CalibrationLevel {
    pub const ALL: &'static [CalibrationLevel] = &[
        CalibrationLevel::Planned,
        CalibrationLevel::RawInstrumental,
        CalibrationLevel::RawStandard,
        CalibrationLevel::Calibrated,
        CalibrationLevel::Product,
        CalibrationLevel::AnalysisProduct,
    ];

    pub fn value(self) -> i32 {
        self as i32 - 1
    }

    pub fn from_value(v: i32) -> Option<CalibrationLevel> {
        usize::try_from(v + 1)
            .ok()
            .and_then(|i| CalibrationLevel::ALL.get(i).copied())
    }

    pub fn parse(text: &str) -> Result<CalibrationLevel, VocabularyError> {
        text.trim()
            .parse::<i32>()
            .ok()
            .and_then(CalibrationLevel::from_value)
            .ok_or_else(|| VocabularyError {
                vocabulary: "CalibrationLevel",
                value: text.trim().to_string(),
            })
    }
}

/// MultiPolygon vertex type, written as its integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SegmentType {
    Close = 0,
    Line = 1,
    Move = 2,
}

impl SegmentType {
    pub fn value(self) -> i32 {
        self as i32
    }

    pub fn from_value(v: i32) -> Option<SegmentType> {
        match v {
            0 => Some(SegmentType::Close),
            1 => Some(SegmentType::Line),
            2 => Some(SegmentType::Move),
            _ => None,
        }
    }
}

/// Checks the `namespace#term` form of a non-base vocabulary term.
fn is_namespaced_term(text: &str) -> bool {
    match text.rsplit_once('#') {
        Some((ns, term)) => {
            !term.is_empty()
                && crate::uri::Uri::parse(ns).is_ok_and(|u| u.scheme().is_some())
                && !term.contains([' ', '/', '\\', '%'])
        }
        None => false,
    }
}

macro_rules! open_vocabulary {
    ($(#[$doc:meta])* $name:ident, $label:literal, [$($konst:ident = $text:literal),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(Cow<'static, str>);

        impl $name {
            $(pub const $konst: $name = $name(Cow::Borrowed($text));)+

            /// The base terms, written bare.
            pub const BASE_TERMS: &'static [&'static str] = &[$($text),+];

            /// A base term or a `namespace#term` extension.
            pub fn parse(text: &str) -> Result<$name, VocabularyError> {
                let t = text.trim();
                if let Some(base) = Self::BASE_TERMS.iter().find(|b| **b == t) {
                    return Ok($name(Cow::Borrowed(base)));
                }
                Self::parse_extension(t)
                    .ok_or_else(|| VocabularyError { vocabulary: $label, value: t.to_string() })
            }

            /// The value as written in XML and digested in checksums.
            pub fn as_str(&self) -> &str { &self.0 }

            /// True for a base term of the CAOM vocabulary.
            pub fn is_base_term(&self) -> bool { Self::BASE_TERMS.contains(&self.as_str()) }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
    };
}

open_vocabulary!(
    /// Artifact, Part and Chunk productType (IVOA DataLink terms plus CAOM's own).
    ProductType, "ProductType", [
        THIS = "this", AUXILIARY = "auxiliary", BIAS = "bias", CALIBRATION = "calibration",
        CODERIVED = "coderived", DARK = "dark", DOCUMENTATION = "documentation", ERROR = "error",
        FLAT = "flat", NOISE = "noise", PREVIEW = "preview", PREVIEW_IMAGE = "preview-image",
        PREVIEW_PLOT = "preview-plot", THUMBNAIL = "thumbnail", WEIGHT = "weight",
        SCIENCE = "science", INFO = "info",
    ]
);

impl ProductType {
    fn parse_extension(t: &str) -> Option<ProductType> {
        is_namespaced_term(t).then(|| ProductType(Cow::Owned(t.to_string())))
    }
}

/// The namespace CAOM gives its own DataProductType terms that ObsCore lacks.
pub const CAOM_DATA_PRODUCT_TYPE_NS: &str = "http://www.opencadc.org/caom2/DataProductType";

open_vocabulary!(
    /// Plane.dataProductType (ObsCore dataproduct_type plus CAOM terms).
    DataProductType, "DataProductType", [
        IMAGE = "image", CUBE = "cube", SPECTRUM = "spectrum", TIMESERIES = "timeseries",
        VISIBILITY = "visibility", MEASUREMENTS = "measurements", EVENT = "event", SED = "sed",
        CATALOG = "http://www.opencadc.org/caom2/DataProductType#catalog",
    ]
);

impl DataProductType {
    fn parse_extension(t: &str) -> Option<DataProductType> {
        if t == "eventlist" {
            // the legacy ObsCore term that Java maps to `event`
            return Some(DataProductType::EVENT);
        }
        is_namespaced_term(t).then(|| DataProductType(Cow::Owned(t.to_string())))
    }
}

open_vocabulary!(
    /// Requirements.flag.
    Status, "Status", [FAIL = "fail"]
);

impl Status {
    fn parse_extension(t: &str) -> Option<Status> {
        is_namespaced_term(t).then(|| Status(Cow::Owned(t.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_values_parse_and_sort_in_java_order() {
        assert_eq!(EnergyBand::parse("X-ray").unwrap(), EnergyBand::XRay);
        assert!(EnergyBand::parse("x-ray").is_err());
        assert!(EnergyBand::Radio < EnergyBand::GammaRay);
        assert!(PolarizationState::V < PolarizationState::RR);
        assert_eq!(
            PolarizationState::from_fits_code(-8),
            Some(PolarizationState::YX)
        );
        assert_eq!(PolarizationState::from_fits_code(0), None);
        assert_eq!(
            CalibrationLevel::parse("-1").unwrap(),
            CalibrationLevel::Planned
        );
        assert_eq!(CalibrationLevel::AnalysisProduct.value(), 4);
        assert!(CalibrationLevel::parse("5").is_err());
    }

    #[test]
    fn open_vocabularies_take_namespaced_terms() {
        assert_eq!(ProductType::parse("science").unwrap(), ProductType::SCIENCE);
        assert!(ProductType::parse("catalog").is_err());
        let custom = ProductType::parse("http://example.org/vocab#mine").unwrap();
        assert!(!custom.is_base_term());
        assert!(ProductType::parse("#x").is_err());
        assert_eq!(
            DataProductType::parse("eventlist").unwrap(),
            DataProductType::EVENT
        );
        assert_eq!(
            DataProductType::parse("http://www.opencadc.org/caom2/DataProductType#catalog")
                .unwrap(),
            DataProductType::CATALOG
        );
        assert_eq!(Status::parse("fail").unwrap(), Status::FAIL);
    }
}
