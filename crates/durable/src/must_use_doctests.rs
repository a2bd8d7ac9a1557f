//! Doc tests only (compiled under `cfg(doctest)`): durable futures are
//! `#[must_use]`, so code that leaves one unused is told so.
//!
//! Owns no code; must never hold anything but these examples.

/// Durable futures do nothing unless awaited, so leaving one unused is a
/// warning (an error below). Each of these fails to compile:
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn call_activity(ctx: durable::OrchestrationContext) {
///     ctx.call_activity::<_, u32>("A", &1);
/// }
/// ```
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn call_activity_with_retry(ctx: durable::OrchestrationContext) {
///     ctx.call_activity_with_retry::<_, u32>("A", &1, durable::RetryPolicy::new(3, 10));
/// }
/// ```
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn call_sub_orchestration(ctx: durable::OrchestrationContext) {
///     ctx.call_sub_orchestration::<_, u32>("O", &1, None);
/// }
/// ```
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn create_timer_at(ctx: durable::OrchestrationContext) {
///     ctx.create_timer_at(5);
/// }
/// ```
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn sleep(ctx: durable::OrchestrationContext) {
///     ctx.sleep(5);
/// }
/// ```
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn wait_for_event(ctx: durable::OrchestrationContext) {
///     ctx.wait_for_event::<u32>("E");
/// }
/// ```
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn wait_for_event_timeout(ctx: durable::OrchestrationContext) {
///     ctx.wait_for_event_timeout::<u32>("E", 5);
/// }
/// ```
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn continue_as_new(ctx: durable::OrchestrationContext) {
///     ctx.continue_as_new(&1);
/// }
/// ```
///
/// while the same calls, used, compile:
///
/// ```
/// #![deny(unused_must_use)]
/// fn used(ctx: durable::OrchestrationContext) {
///     let _ = ctx.call_activity::<_, u32>("A", &1);
///     let _ = ctx.call_activity_with_retry::<_, u32>("A", &1, durable::RetryPolicy::new(3, 10));
///     let _ = ctx.call_sub_orchestration::<_, u32>("O", &1, None);
///     let _ = ctx.create_timer_at(5);
///     let _ = ctx.sleep(5);
///     let _ = ctx.wait_for_event::<u32>("E");
///     let _ = ctx.wait_for_event_timeout::<u32>("E", 5);
///     let _ = ctx.continue_as_new(&1);
/// }
/// ```
#[cfg(doctest)]
pub struct MustUseDoctests;
