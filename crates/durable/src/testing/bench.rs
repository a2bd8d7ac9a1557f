//! The workloads the benchmarks measure, shared by the native benchmark and
//! the browser one so both time the same orchestrations.

use crate::combinators::when_all;
use crate::context::OrchestrationContext;
use crate::error::TaskError;
use crate::registry::Registry;

/// `Sequence(n)`: n activities one after another. `FanOut(n)`: n at once.
/// `Ticker`: one turn per `tick` event until `tick(true)`. `Nap(ms)`: one
/// durable timer. `Work` is the activity: it returns its input. `Record`
/// also writes an app record (`records/{instance}-{n}`), and
/// `RecordSequence(n)` / `RecordFanOut(n)` call it instead of `Work`: what
/// the journal of app writes costs.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.activity("Work", |_ctx, n: u32| async move { Ok::<_, String>(n) })
        .activity("Record", |ctx: crate::ActivityContext, n: u32| async move {
            let key = format!("{}-{n}", ctx.instance_id());
            ctx.put("records", &key, &n).map_err(|e| e.to_string())?;
            Ok::<_, String>(n)
        })
        .orchestration(
            "RecordSequence",
            |ctx: OrchestrationContext, n: u32| async move {
                for i in 0..n {
                    ctx.call_activity::<_, u32>("Record", &i).await?;
                }
                Ok::<_, TaskError>(())
            },
        )
        .orchestration(
            "RecordFanOut",
            |ctx: OrchestrationContext, n: u32| async move {
                let r: Result<Vec<u32>, TaskError> =
                    when_all((0..n).map(|i| ctx.call_activity::<_, u32>("Record", &i)))
                        .await
                        .into_iter()
                        .collect();
                r.map(|v| v.len())
            },
        )
        .orchestration("Sequence", |ctx: OrchestrationContext, n: u32| async move {
            for i in 0..n {
                ctx.call_activity::<_, u32>("Work", &i).await?;
            }
            Ok::<_, TaskError>(())
        })
        .orchestration("FanOut", |ctx: OrchestrationContext, n: u32| async move {
            let r: Result<Vec<u32>, TaskError> =
                when_all((0..n).map(|i| ctx.call_activity::<_, u32>("Work", &i)))
                    .await
                    .into_iter()
                    .collect();
            r.map(|v| v.len())
        })
        .orchestration("Ticker", |ctx: OrchestrationContext, _: ()| async move {
            loop {
                if ctx.wait_for_event::<bool>("tick").await? {
                    return Ok::<_, TaskError>(());
                }
            }
        })
        .orchestration("Nap", |ctx: OrchestrationContext, ms: u64| async move {
            ctx.sleep(ms).await;
            Ok::<_, TaskError>(())
        });
    r
}
