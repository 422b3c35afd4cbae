//! A `BlinkPut` copy cannot keep a way to allocate in its target arena:
//! `copy_deep` into a scope would then allocate in the outer scope while a
//! nested one is open, and the nested scope's exit would free that block.
use blink_alloc::{AllocError, BlinkAllocator, BlinkPut, PutTarget};

struct Keeps;

/// Copies strings into the arena on demand, long after `copy_to` returned.
struct Interner<'b>(&'b dyn Fn(&str) -> &'b str);

// SAFETY: `Interner` has no drop glue.
unsafe impl<'b> BlinkPut<'b> for Keeps {
    type Output = Interner<'b>;
    fn copy_to<A: BlinkAllocator>(&self, target: &PutTarget<'b, A>) -> Interner<'b> {
        Interner(target.put_no_drop(move |s: &str| &*target.copy_str(s)))
    }
    fn try_copy_to<A: BlinkAllocator>(
        &self,
        target: &PutTarget<'b, A>,
    ) -> Result<Interner<'b>, AllocError> {
        Ok(self.copy_to(target))
    }
}

fn main() {}
