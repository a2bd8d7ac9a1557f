//! The workflows the tests of activities beside the workflows share, native
//! (in virtual time) and in the browser: an activity that never ends, one
//! that takes time on the given clock, a quick one, and the orchestrations
//! that await them.

use std::rc::Rc;

use crate::activity::ActivityError;
use crate::clock::Clock;
use crate::combinators::{select2, Either};
use crate::context::OrchestrationContext;
use crate::error::TaskError;
use crate::registry::Registry;

/// Activities: `Hang` never ends (a fetch whose server never answers: a
/// future that is never woken); `Slow(ms)` answers `"activity"` after `ms`
/// of `clock`'s time; `Quick(line)` appends `line` to the `console` store.
/// Orchestrations: `Stuck` awaits `Hang`; `Fine` calls `Quick("fine")`,
/// sleeps 10 ms and returns `"done"`; `Race` runs `Slow(500)` against a
/// 100 ms timer and returns `"timer"` if the timer wins.
pub fn registry(clock: Rc<dyn Clock>) -> Registry {
    let mut r = Registry::new();
    r.activity("Hang", |_ctx, _: ()| async move {
        std::future::pending::<()>().await;
        Ok::<_, ActivityError>(())
    })
    .activity("Slow", move |_ctx, ms: u64| {
        let sleep = clock.sleep(ms);
        async move {
            sleep.await;
            Ok::<_, ActivityError>("activity".to_string())
        }
    })
    .activity("Quick", |ctx, line: String| async move {
        ctx.append("console", &line)?;
        Ok::<_, ActivityError>(())
    })
    .orchestration("Stuck", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Hang", &()).await
    })
    .orchestration("Fine", |ctx: OrchestrationContext, _: ()| async move {
        ctx.call_activity::<_, ()>("Quick", &"fine").await?;
        ctx.sleep(10).await;
        Ok::<_, TaskError>("done")
    })
    .orchestration("Race", |ctx: OrchestrationContext, _: ()| async move {
        let slow = ctx.call_activity::<_, String>("Slow", &500u64);
        match select2(slow, ctx.sleep(100)).await {
            Either::Left(result) => result,
            Either::Right(()) => Ok("timer".to_string()),
        }
    });
    r
}
