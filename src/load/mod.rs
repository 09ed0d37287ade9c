//! Loading a results folder: finds the files by their JCQ names, reads them in parallel, and
//! assembles each centre's series: the winning basedata, the current entries, the latest results
//! with the XML component marks merged in.

pub mod assemble;
pub mod inputs;
pub mod layouts;
pub mod mis;
pub mod plan;
pub mod read;
pub mod zipped;

pub use crate::model::series::*;
pub use assemble::*;
pub use layouts::*;
pub use plan::*;
pub use read::*;

#[cfg(test)]
mod tests;
