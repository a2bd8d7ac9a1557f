//! The timeline (Gantt) of an instance: activities, timers and
//! sub-orchestrations as bars from when they were scheduled to when they
//! finished, events as markers; and the wall-clock against compute chart.
//! Computed from the history alone, written as SVG markup.

use durable::{EventKind, HistoryEvent};

use super::html::Html;

/// One bar of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// What ran: the activity's, timer's or sub-orchestration's name.
    pub label: String,
    /// `activity`, `timer` or `sub` (the bar's CSS class).
    pub kind: &'static str,
    /// When it was scheduled (ms since the epoch).
    pub start_ms: u64,
    /// `None`: still open.
    pub end_ms: Option<u64>,
}

/// The bars and event markers of a history.
pub fn spans(history: &[HistoryEvent]) -> (Vec<Span>, Vec<(u64, String)>) {
    let mut spans: Vec<(u64, Span)> = Vec::new();
    let mut markers = Vec::new();
    for e in history {
        let open = |label: String, kind| {
            (
                e.event_id,
                Span {
                    label,
                    kind,
                    start_ms: e.timestamp_ms,
                    end_ms: None,
                },
            )
        };
        match &e.kind {
            EventKind::TaskScheduled { name, .. } => spans.push(open(name.clone(), "activity")),
            EventKind::TimerCreated { .. } => spans.push(open("timer".into(), "timer")),
            EventKind::SubOrchestrationInstanceCreated { name, .. } => {
                spans.push(open(name.clone(), "sub"))
            }
            EventKind::EventRaised { name, .. } => markers.push((e.timestamp_ms, name.clone())),
            // Versioning and recovery: where a patch took its new branch,
            // where a failed execution was rewound, a restart.
            EventKind::MarkerRecorded { change_id } => {
                markers.push((e.timestamp_ms, format!("patched: {change_id}")))
            }
            EventKind::ExecutionRewound { .. } => markers.push((e.timestamp_ms, "rewound".into())),
            EventKind::ExecutionStarted {
                restarted: Some(_), ..
            } => markers.push((e.timestamp_ms, "restarted".into())),
            other => {
                if let Some(id) = other.answers() {
                    if let Some((_, s)) = spans.iter_mut().find(|(sid, _)| *sid == id) {
                        s.end_ms.get_or_insert(e.timestamp_ms);
                        if matches!(other, EventKind::TimerCancelled { .. }) {
                            s.label = "timer (cancelled)".into();
                        }
                    }
                }
            }
        }
    }
    (spans.into_iter().map(|(_, s)| s).collect(), markers)
}

/// The timeline as SVG markup: a labelled bar per span, a dashed line per
/// raised event. Times run left to right from the first event to the last
/// (or to `now_ms` while a span is open).
pub fn timeline_svg(history: &[HistoryEvent], now_ms: u64) -> String {
    let (spans, markers) = spans(history);
    let start = history.first().map_or(now_ms, |e| e.timestamp_ms);
    let last = history.last().map_or(now_ms, |e| e.timestamp_ms);
    let end = if spans.iter().any(|s| s.end_ms.is_none()) {
        now_ms.max(last)
    } else {
        last
    }
    .max(start.saturating_add(1));
    const WIDTH: u64 = 600;
    let x = |t: u64| 150.0 + (t.saturating_sub(start) as f64 / (end - start).max(1) as f64) * 440.0;
    let height = (20 * spans.len() + 30).to_string();
    let mut h = Html::new();
    h.open(
        "svg",
        &[
            ("class", "timeline"),
            ("data-testid", "timeline"),
            ("viewBox", &format!("0 0 {WIDTH} {height}")),
            ("role", "img"),
            (
                "aria-label",
                "Timeline of the instance's activities, timers and sub-orchestrations",
            ),
        ],
    );
    for (i, s) in spans.iter().enumerate() {
        let y = 10 + 20 * i;
        let x0 = x(s.start_ms);
        let x1 = x(s.end_ms.unwrap_or(now_ms)).max(x0 + 2.0);
        h.open(
            "g",
            &[("data-testid", "timeline-bar"), ("data-kind", s.kind)],
        )
        .element(
            "text",
            &[
                ("x", "4"),
                ("y", &(y + 12).to_string()),
                ("class", "timeline__label"),
            ],
            &s.label,
        )
        .empty(
            "rect",
            &[
                ("x", &px(x0)),
                ("y", &y.to_string()),
                ("width", &px(x1 - x0)),
                ("height", "14"),
                ("class", &format!("timeline__bar timeline__bar--{}", s.kind)),
            ],
        )
        .element(
            "title",
            &[],
            &format!(
                "{}: {}",
                s.label,
                span_text(s.end_ms.unwrap_or(now_ms).saturating_sub(s.start_ms),)
            ),
        )
        .close("g");
    }
    for (t, name) in &markers {
        let right = x(*t) > 450.0;
        let mx = px(x(*t));
        h.open(
            "g",
            &[
                ("class", "timeline__marker"),
                ("data-testid", "timeline-marker"),
            ],
        )
        .empty(
            "line",
            &[("x1", &mx), ("x2", &mx), ("y1", "0"), ("y2", &height)],
        )
        .element(
            "text",
            &[
                // Near the right edge the name reads leftwards.
                ("x", &px(if right { x(*t) - 3.0 } else { x(*t) + 3.0 })),
                ("y", &(20 * spans.len() + 26).to_string()),
                ("text-anchor", if right { "end" } else { "start" }),
            ],
            name,
        )
        .close("g");
    }
    h.close("svg");
    h.finish()
}

/// Wall-clock time against compute time, the original demo's point, as a
/// figure: two bars to one scale and a caption with the figures.
pub fn wall_vs_compute(wall_ms: u64, compute_ms: f64, turns: u64) -> String {
    let wall = wall_ms.max(1) as f64;
    let compute_width = px((compute_ms / wall * 400.0).clamp(1.0, 400.0));
    let label = |y: &str, text: &str, h: &mut Html| {
        h.element(
            "text",
            &[("x", "0"), ("y", y), ("class", "timeline__label")],
            text,
        );
    };
    let mut h = Html::new();
    h.open(
        "figure",
        &[("class", "wall-compute"), ("data-testid", "wall-compute")],
    )
    .open(
        "svg",
        &[
            ("viewBox", "0 0 560 70"),
            ("role", "img"),
            ("aria-label", "Wall-clock time against compute time"),
        ],
    );
    label("20", "Wall clock", &mut h);
    h.empty(
        "rect",
        &[
            ("x", "120"),
            ("y", "8"),
            ("width", "400"),
            ("height", "16"),
            ("class", "timeline__bar timeline__bar--wall"),
        ],
    );
    label("52", "Compute", &mut h);
    h.empty(
        "rect",
        &[
            ("x", "120"),
            ("y", "40"),
            ("width", &compute_width),
            ("height", "16"),
            ("class", "timeline__bar timeline__bar--compute"),
        ],
    )
    .close("svg")
    .element(
        "figcaption",
        &[("data-testid", "wall-compute-text")],
        &format!(
            "{} of wall-clock time, {} ms of compute in {turns} turns.",
            span_text(wall_ms),
            tenths(compute_ms)
        ),
    )
    .close("figure");
    h.finish()
}

/// A coordinate in whole pixels (no float formatting in the bundle).
fn px(v: f64) -> String {
    (v.round() as i64).to_string()
}

/// Milliseconds to one decimal, with integer arithmetic.
fn tenths(ms: f64) -> String {
    let t = (ms * 10.0).round().max(0.0) as u64;
    format!("{}.{}", t / 10, t % 10)
}

fn span_text(ms: u64) -> String {
    match ms {
        0..=1_999 => format!("{ms} ms"),
        2_000..=119_999 => format!("{} s", ms / 1_000),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(id: u64, t: u64, kind: EventKind) -> HistoryEvent {
        HistoryEvent {
            event_id: id,
            timestamp_ms: t,
            kind,
        }
    }

    #[test]
    fn bars_run_from_scheduling_to_completion() {
        let h = vec![
            ev(0, 10, EventKind::OrchestratorStarted),
            ev(
                1,
                10,
                EventKind::TaskScheduled {
                    name: "A".into(),
                    input: json!(1),
                    timeout_ms: None,
                },
            ),
            ev(2, 10, EventKind::TimerCreated { fire_at_ms: 99 }),
            ev(
                3,
                20,
                EventKind::TaskCompleted {
                    scheduled_id: 1,
                    result: json!(1),
                    compute_ms: 0.1,
                },
            ),
            ev(
                4,
                25,
                EventKind::EventRaised {
                    name: "Go".into(),
                    input: json!(null),
                },
            ),
            ev(5, 25, EventKind::TimerCancelled { scheduled_id: 2 }),
        ];
        let (spans, markers) = spans(&h);
        assert_eq!(spans.len(), 2);
        assert_eq!(
            (spans[0].label.as_str(), spans[0].start_ms, spans[0].end_ms),
            ("A", 10, Some(20))
        );
        assert_eq!(
            (spans[1].label.as_str(), spans[1].end_ms),
            ("timer (cancelled)", Some(25))
        );
        assert_eq!(markers, vec![(25, "Go".to_string())]);
    }
}
