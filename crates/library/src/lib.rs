//! The strategy library's pure core (no I/O): Swedish sentences out of a strategy's text
//! ([`sentences`]) and the quantitative targets read out of them ([`targets`]), as drafts a
//! strategist reviews before anything enters a strategy.
//!
//! ```
//! use etablera_library::targets::{read, Comparator, Unit};
//! let text = "Kvantitativa mål Minst 10 % av befolkningen är utrikes födda år 2020 \
//!             Strategi Kommunen ska verka för fler bostäder.";
//! let drafts = read(text, Some(2020));
//! assert_eq!(drafts.len(), 1);
//! assert_eq!(drafts[0].comparator, Comparator::AtLeast);
//! assert_eq!((drafts[0].value, drafts[0].unit, drafts[0].year), (Some(10.0), Some(Unit::Percent), Some(2020)));
//! ```

pub mod index;
pub mod kpis;
pub mod sentences;
pub mod targets;
