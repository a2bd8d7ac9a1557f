//! The histogram over the dashboard's list: every instance its filters
//! match, by when it was created, in stacked bars by status — how many
//! started when, and how they stand.
//!
//! Pure counting and markup: it reads nothing and sends nothing.

use durable::{InstanceSummary, RuntimeStatus};

use super::html::Html;
use super::when;

/// One bar: a span of creation times and how many instances of each status
/// were created in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// The span's start (ms since the epoch).
    pub start_ms: u64,
    /// The span's end (ms since the epoch, exclusive).
    pub end_ms: u64,
    /// How many of each status, for the statuses present.
    pub counts: Vec<(RuntimeStatus, usize)>,
}

impl Bucket {
    /// How many instances the bar stands for.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// `bars` equal spans from the first creation to the last, each counting
/// its instances by status (in `RuntimeStatus::ALL` order, zeros left
/// out); none when nothing matched.
pub fn buckets(summaries: &[InstanceSummary], bars: usize) -> Vec<Bucket> {
    let (Some(first), Some(last)) = (
        summaries.iter().map(|s| s.created_ms).min(),
        summaries.iter().map(|s| s.created_ms).max(),
    ) else {
        return Vec::new();
    };
    let bars = bars.max(1) as u64;
    let width = ((last - first) / bars + 1).max(1);
    let mut counts = vec![[0usize; RuntimeStatus::ALL.len()]; bars as usize];
    for s in summaries {
        let bar = (((s.created_ms - first) / width) as usize).min(bars as usize - 1);
        if let Some(at) = RuntimeStatus::ALL.iter().position(|x| *x == s.status) {
            counts[bar][at] += 1;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| Bucket {
            start_ms: first + i as u64 * width,
            end_ms: first + (i as u64 + 1) * width,
            counts: RuntimeStatus::ALL
                .iter()
                .zip(c)
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| (*s, n))
                .collect(),
        })
        .collect()
}

/// The bars as markup: an SVG of bars stacked by status (stretched to the
/// width), each segment titled with its count, and the time span under it.
pub fn histogram_svg(buckets: &[Bucket]) -> String {
    const WIDTH: usize = 600;
    const HEIGHT: usize = 90;
    let tallest = buckets.iter().map(Bucket::total).max().unwrap_or(0).max(1);
    let bar = WIDTH / buckets.len().max(1);
    let mut h = Html::new();
    h.open(
        "svg",
        &[
            ("class", "histogram"),
            ("data-testid", "histogram"),
            ("viewBox", &format!("0 0 {WIDTH} {HEIGHT}")),
            ("preserveAspectRatio", "none"),
            ("role", "img"),
            ("aria-label", "Instances by creation time and status"),
        ],
    );
    for (i, b) in buckets.iter().enumerate() {
        let mut top = HEIGHT;
        for (status, n) in &b.counts {
            let tall = (n * HEIGHT).div_ceil(tallest);
            top -= tall.min(top);
            let status = status.as_str();
            h.open(
                "rect",
                &[
                    ("x", &(i * bar + 1).to_string()),
                    ("y", &top.to_string()),
                    ("width", &bar.saturating_sub(2).max(1).to_string()),
                    ("height", &tall.to_string()),
                    (
                        "class",
                        &format!("histogram__bar histogram__bar--{}", status.to_lowercase()),
                    ),
                    ("data-testid", "histogram-bar"),
                    ("data-status", status),
                    ("data-count", &n.to_string()),
                ],
            )
            .element(
                "title",
                &[],
                &format!(
                    "{n} {status}, created {} – {}",
                    when(b.start_ms),
                    when(b.end_ms)
                ),
            )
            .close("rect");
        }
    }
    h.close("svg");
    if let (Some(first), Some(last)) = (buckets.first(), buckets.last()) {
        h.open("p", &[("class", "histogram__axis")])
            .element("span", &[], &when(first.start_ms))
            .element("span", &[], &when(last.end_ms))
            .close("p");
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use durable::InstanceId;

    fn at(ms: u64, status: RuntimeStatus) -> InstanceSummary {
        InstanceSummary {
            id: InstanceId::new(format!("i{ms}")),
            name: "O".into(),
            status,
            created_ms: ms,
            updated_ms: ms,
            custom_status: String::new(),
        }
    }

    #[test]
    fn instances_fall_in_their_span_counted_by_status() {
        use RuntimeStatus::*;
        let all = [
            at(0, Running),
            at(1, Completed),
            at(5, Running),
            at(9, Failed),
            at(9, Running),
        ];
        let b = buckets(&all, 2);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].counts, [(Running, 1), (Completed, 1)]);
        assert_eq!(b[1].counts, [(Running, 2), (Failed, 1)]);
        assert_eq!(
            b.iter().map(Bucket::total).sum::<usize>(),
            all.len(),
            "every instance once"
        );
        assert!(
            b[0].end_ms == b[1].start_ms && b[1].end_ms > 9,
            "the spans cover all"
        );
        assert!(buckets(&[], 4).is_empty());
        let one = buckets(&[at(7, Pending)], 3);
        assert_eq!(one.iter().map(Bucket::total).sum::<usize>(), 1);
    }
}
