//! The timeline (Gantt) of an instance: activities, timers and
//! sub-orchestrations as bars from when they were scheduled to when they
//! finished, events as markers; and the wall-clock against compute chart.
//! Computed from the history alone.

use durable::{EventKind, HistoryEvent};
use leptos::prelude::*;

/// One bar of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub label: String,
    pub kind: &'static str,
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

#[component]
pub fn Timeline(history: Vec<HistoryEvent>, now_ms: u64) -> impl IntoView {
    let (spans, markers) = spans(&history);
    let start = history.first().map_or(now_ms, |e| e.timestamp_ms);
    let end = history
        .last()
        .map_or(now_ms, |e| e.timestamp_ms)
        .max(start + 1);
    let end = if spans.iter().any(|s| s.end_ms.is_none()) {
        now_ms.max(end)
    } else {
        end
    };
    let width = 600.0;
    let x = move |t: u64| {
        150.0 + (t.saturating_sub(start) as f64 / (end - start) as f64) * (width - 160.0)
    };
    let height = 20 * spans.len() + 30;
    view! {
        <svg class="timeline" data-testid="timeline" viewBox=format!("0 0 {width} {height}") role="img"
            aria-label="Timeline of the instance's activities, timers and sub-orchestrations">
            {spans
                .into_iter()
                .enumerate()
                .map(|(i, s)| {
                    let y = 10 + 20 * i;
                    let x0 = x(s.start_ms);
                    let x1 = x(s.end_ms.unwrap_or(now_ms)).max(x0 + 2.0);
                    let class = format!("timeline__bar timeline__bar--{}", s.kind);
                    view! {
                        <g data-testid="timeline-bar">
                            <text x="4" y=(y + 12).to_string() class="timeline__label">{s.label}</text>
                            <rect x=px(x0) y=y.to_string() width=px(x1 - x0) height="14" class=class />
                        </g>
                    }
                })
                .collect_view()}
            {markers
                .into_iter()
                .map(|(t, name)| {
                    let mx = x(t);
                    view! {
                        <g class="timeline__marker">
                            <line x1=px(mx) x2=px(mx) y1="0" y2=height.to_string() />
                            <text x=px(mx + 3.0) y=(height - 4).to_string()>{name}</text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// Wall-clock time against compute time: the original demo's point.
#[component]
pub fn WallVsCompute(wall_ms: u64, compute_ms: f64, turns: u64) -> impl IntoView {
    let wall = wall_ms.max(1) as f64;
    let compute_width = (compute_ms / wall * 400.0).clamp(1.0, 400.0);
    view! {
        <figure class="wall-compute" data-testid="wall-compute">
            <svg viewBox="0 0 560 70" role="img" aria-label="Wall-clock time against compute time">
                <text x="0" y="20" class="timeline__label">"Wall clock"</text>
                <rect x="120" y="8" width="400" height="16" class="timeline__bar timeline__bar--wall" />
                <text x="0" y="52" class="timeline__label">"Compute"</text>
                <rect x="120" y="40" width=px(compute_width) height="16" class="timeline__bar timeline__bar--compute" />
            </svg>
            <figcaption data-testid="wall-compute-text">
                {format!(
                    "{} of wall-clock time, {} ms of compute in {turns} turns.",
                    span_text(wall_ms),
                    tenths(compute_ms)
                )}
            </figcaption>
        </figure>
    }
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
