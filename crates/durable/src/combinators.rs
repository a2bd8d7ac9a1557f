//! when_all / when_any over any futures, with a fixed, documented order.
//!
//! Children are polled in argument order, so when several are ready in one
//! poll the first in argument order wins (and the runtime delivers history
//! events one at a time, so in practice the first completed in history order
//! wins). when_any drops its losers inside the poll that decides it: a losing
//! durable timer is cancelled and the cancellation recorded in that turn.
//! Owns no durable state.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Pending once (after asking to be polled again), then ready: whoever
/// else runs on the executor gets a turn.
pub(crate) async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

/// Either of two results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first alternative: in [`select2`], `a` completed first.
    Left(A),
    /// The second alternative: in [`select2`], `b` completed first.
    Right(B),
}

/// Completes when every future has completed, with their outputs in order.
pub fn when_all<F: Future>(futures: impl IntoIterator<Item = F>) -> WhenAll<F> {
    let futures: Vec<_> = futures.into_iter().map(|f| Box::pin(f)).collect();
    let outputs = futures.iter().map(|_| None).collect();
    WhenAll { futures, outputs }
}

/// The future [`when_all`] returns.
pub struct WhenAll<F: Future> {
    futures: Vec<Pin<Box<F>>>,
    outputs: Vec<Option<F::Output>>,
}

impl<F: Future> Unpin for WhenAll<F> {}

impl<F: Future> Future for WhenAll<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        for (f, out) in this.futures.iter_mut().zip(this.outputs.iter_mut()) {
            if out.is_none() {
                if let Poll::Ready(v) = f.as_mut().poll(cx) {
                    *out = Some(v);
                }
            }
        }
        if this.outputs.iter().all(Option::is_some) {
            this.futures.clear();
            Poll::Ready(this.outputs.drain(..).flatten().collect())
        } else {
            Poll::Pending
        }
    }
}

/// Completes with the index and output of the first future to complete;
/// the others are dropped at once.
pub fn when_any<F: Future>(futures: impl IntoIterator<Item = F>) -> WhenAny<F> {
    WhenAny {
        futures: futures.into_iter().map(|f| Box::pin(f)).collect(),
    }
}

/// The future [`when_any`] returns.
pub struct WhenAny<F: Future> {
    futures: Vec<Pin<Box<F>>>,
}

impl<F: Future> Unpin for WhenAny<F> {}

impl<F: Future> Future for WhenAny<F> {
    type Output = (usize, F::Output);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let winner =
            self.futures
                .iter_mut()
                .enumerate()
                .find_map(|(i, f)| match f.as_mut().poll(cx) {
                    Poll::Ready(v) => Some((i, v)),
                    Poll::Pending => None,
                });
        match winner {
            Some(w) => {
                self.futures.clear();
                Poll::Ready(w)
            }
            None => Poll::Pending,
        }
    }
}

/// when_any for two futures of different types; the loser is dropped at once.
pub fn select2<A: Future, B: Future>(a: A, b: B) -> Select2<A, B> {
    Select2 {
        a: Some(Box::pin(a)),
        b: Some(Box::pin(b)),
    }
}

/// The future [`select2`] returns.
pub struct Select2<A: Future, B: Future> {
    a: Option<Pin<Box<A>>>,
    b: Option<Pin<Box<B>>>,
}

impl<A: Future, B: Future> Unpin for Select2<A, B> {}

impl<A: Future, B: Future> Future for Select2<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let out = if let Some(Poll::Ready(v)) = self.a.as_mut().map(|a| a.as_mut().poll(cx)) {
            Either::Left(v)
        } else if let Some(Poll::Ready(v)) = self.b.as_mut().map(|b| b.as_mut().poll(cx)) {
            Either::Right(v)
        } else {
            return Poll::Pending;
        };
        self.a = None;
        self.b = None;
        Poll::Ready(out)
    }
}

/// when_all for two futures of different types.
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    let mut ra = None;
    let mut rb = None;
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    match (ra, rb) {
        (Some(a), Some(b)) => (a, b),
        _ => unreachable!("poll_fn returned Ready only with both results"),
    }
}
