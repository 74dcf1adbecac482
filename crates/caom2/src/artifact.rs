//! Artifact (a stored file), Part (e.g. a FITS extension) and Chunk (the WCS of a part).

use crate::entity::Entity;
use crate::timestamp::Timestamp;
use crate::uri::Uri;
use crate::vocabulary::{ProductType, ReleaseType};
use crate::wcs::{
    CustomWcs, ObservableAxis, PolarizationWcs, SpatialWcs, SpectralWcs, TemporalWcs,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Artifact {
    pub entity: Entity,
    pub uri: Uri,
    pub product_type: ProductType,
    pub release_type: ReleaseType,
    /// CAOM 2.4: overrides the release date implied by `release_type`.
    pub content_release: Option<Timestamp>,
    pub content_read_groups: Vec<Uri>,
    /// MIME type.
    pub content_type: Option<String>,
    pub content_length: Option<i64>,
    /// `{algorithm}:{hex}`, e.g. `md5:…`.
    pub content_checksum: Option<Uri>,
    pub parts: Vec<Part>,
}

impl Artifact {
    pub fn new(uri: Uri, product_type: ProductType, release_type: ReleaseType) -> Artifact {
        Artifact {
            entity: Entity::new(),
            uri,
            product_type,
            release_type,
            content_release: None,
            content_read_groups: Vec::new(),
            content_type: None,
            content_length: None,
            content_checksum: None,
            parts: Vec::new(),
        }
    }

    pub fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }

    pub fn part_mut(&mut self, name: &str) -> Option<&mut Part> {
        self.parts.iter_mut().find(|p| p.name == name)
    }

    /// Gives every chunk the product type of its part, or the artifact's when the part has
    /// none (what the collections' update steps do, as the reference's do).
    pub fn set_chunk_product_types(&mut self) {
        for part in &mut self.parts {
            let product = part
                .product_type
                .clone()
                .unwrap_or_else(|| self.product_type.clone());
            for chunk in &mut part.chunks {
                chunk.product_type = Some(product.clone());
            }
        }
    }

    /// Every chunk of every part.
    pub fn chunks_mut(&mut self) -> impl Iterator<Item = &mut Chunk> {
        self.parts.iter_mut().flat_map(|p| p.chunks.iter_mut())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub entity: Entity,
    pub name: String,
    pub product_type: Option<ProductType>,
    pub chunks: Vec<Chunk>,
}

impl Part {
    pub fn new(name: impl Into<String>) -> Part {
        Part {
            entity: Entity::new(),
            name: name.into(),
            product_type: None,
            chunks: Vec::new(),
        }
    }
}

/// The WCS of (a tile of) a part. Axis numbers are 1-based FITS axes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chunk {
    pub entity: Entity,
    pub product_type: Option<ProductType>,
    pub naxis: Option<i32>,
    pub observable_axis: Option<i32>,
    pub position_axis1: Option<i32>,
    pub position_axis2: Option<i32>,
    pub energy_axis: Option<i32>,
    pub time_axis: Option<i32>,
    pub polarization_axis: Option<i32>,
    pub custom_axis: Option<i32>,
    pub observable: Option<ObservableAxis>,
    pub position: Option<SpatialWcs>,
    pub energy: Option<SpectralWcs>,
    pub time: Option<TemporalWcs>,
    pub polarization: Option<PolarizationWcs>,
    pub custom: Option<CustomWcs>,
}

impl Chunk {
    pub fn new() -> Chunk {
        Chunk::default()
    }

    /// Drops the spatial WCS: the position, its axes and, with `naxis`, the axis count.
    pub fn clear_position(&mut self, naxis: bool) {
        self.position = None;
        self.position_axis1 = None;
        self.position_axis2 = None;
        if naxis {
            self.naxis = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_product_types_come_from_the_part_or_the_artifact() {
        let uri = Uri::parse("cadc:X/x.fits").unwrap();
        let mut a = Artifact::new(uri, ProductType::SCIENCE, ReleaseType::Data);
        let mut own = Part::new("tables");
        own.product_type = Some(ProductType::AUXILIARY);
        own.chunks.push(Chunk::new());
        let mut plain = Part::new("0");
        plain.chunks.extend([Chunk::new(), Chunk::new()]);
        a.parts.extend([own, plain]);
        a.set_chunk_product_types();
        let types: Vec<_> = a.chunks_mut().map(|c| c.product_type.clone()).collect();
        assert_eq!(
            types,
            [
                Some(ProductType::AUXILIARY),
                Some(ProductType::SCIENCE),
                Some(ProductType::SCIENCE)
            ]
        );

        let c = a.chunks_mut().next().unwrap();
        c.naxis = Some(2);
        c.position_axis1 = Some(1);
        c.clear_position(false);
        assert_eq!((c.position_axis1, c.naxis), (None, Some(2)));
        c.clear_position(true);
        assert_eq!(c.naxis, None);
    }
}
