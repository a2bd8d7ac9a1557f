//! The workflow dashboard's building blocks that do not depend on the
//! app's pages: the list's filters, sort order and paging as URL-backed data
//! (`filter`), and the timeline and wall-clock-against-compute chart of an
//! instance (`timeline`). The pages that use them are not mounted yet.

pub mod filter;
pub mod timeline;
