//! Declares a struct whose allocator parameter defaults to `$default` only
//! when the `alloc` feature provides `Global`.
macro_rules! with_default_allocator {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident<$param:ident: $bound:path = $default:ty> { $($body:tt)* }
    ) => {
        #[cfg(feature = "alloc")]
        $(#[$meta])*
        $vis struct $name<$param: $bound = $default> { $($body)* }

        #[cfg(not(feature = "alloc"))]
        $(#[$meta])*
        $vis struct $name<$param: $bound> { $($body)* }
    };
}

/// The allocation methods of a `BlinkAllocator` impl: `allocate`,
/// `allocate_zeroed`, `resize` and `deallocate`, each calling `$target`'s
/// method of the same name (inherent methods first, as paths resolve).
macro_rules! forward_allocation_to {
    ($target:ident) => {
        #[inline(always)]
        fn allocate(
            &self,
            layout: core::alloc::Layout,
        ) -> Result<core::ptr::NonNull<[u8]>, allocator_api2::alloc::AllocError> {
            $target::allocate(self, layout)
        }

        #[inline(always)]
        fn allocate_zeroed(
            &self,
            layout: core::alloc::Layout,
        ) -> Result<core::ptr::NonNull<[u8]>, allocator_api2::alloc::AllocError> {
            $target::allocate_zeroed(self, layout)
        }

        #[inline(always)]
        unsafe fn resize(
            &self,
            ptr: core::ptr::NonNull<u8>,
            old_layout: core::alloc::Layout,
            new_layout: core::alloc::Layout,
        ) -> Result<core::ptr::NonNull<[u8]>, allocator_api2::alloc::AllocError> {
            // SAFETY: forwarded from the caller.
            unsafe { $target::resize(self, ptr, old_layout, new_layout) }
        }

        #[inline(always)]
        unsafe fn deallocate(&self, ptr: core::ptr::NonNull<u8>, size: usize) {
            // SAFETY: forwarded from the caller.
            unsafe { $target::deallocate(self, ptr, size) }
        }
    };
}

/// Implements the `Allocator` traits for `&Arena`, forwarding to the arena's
/// inherent `allocate`, `allocate_zeroed`, `resize` and `deallocate`.
///
/// Only the shared reference is an `Allocator`: the arena's safe `reset`
/// takes `&mut self`, which cannot coexist with a collection that borrows it.
/// An owned arena inside a collection could be reset through a `&mut`
/// accessor while blocks live (the bump-scope #137 trap).
macro_rules! impl_allocator_for_ref {
    ($name:ident<$($lt:lifetime,)? A>) => {
        impl_allocator_for_ref!(@impl allocator_api2, $name<$($lt,)? A>);
        #[cfg(feature = "allocator-api2-03")]
        impl_allocator_for_ref!(@impl allocator_api2_03, $name<$($lt,)? A>);
        #[cfg(feature = "allocator-api2-04")]
        impl_allocator_for_ref!(@impl allocator_api2_04, $name<$($lt,)? A>);
    };
    (@impl $krate:ident, $name:ident<$($lt:lifetime,)? A>) => {
        // SAFETY: the arena's methods keep the `Allocator` contract: blocks
        // are valid and disjoint until deallocated, resized or reset, and a
        // reset needs `&mut` to the arena, which a live `&Arena` forbids.
        unsafe impl<'r, $($lt,)? A: allocator_api2::alloc::Allocator> $krate::alloc::Allocator
            for &'r $name<$($lt,)? A>
        {
            #[inline(always)]
            fn allocate(
                &self,
                layout: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<[u8]>, $krate::alloc::AllocError> {
                $name::allocate(self, layout).map_err(|_| $krate::alloc::AllocError)
            }

            #[inline(always)]
            fn allocate_zeroed(
                &self,
                layout: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<[u8]>, $krate::alloc::AllocError> {
                $name::allocate_zeroed(self, layout).map_err(|_| $krate::alloc::AllocError)
            }

            #[inline(always)]
            unsafe fn deallocate(&self, ptr: core::ptr::NonNull<u8>, layout: core::alloc::Layout) {
                // SAFETY: the trait's caller gives a live block of this size.
                unsafe { $name::deallocate(self, ptr, layout.size()) }
            }

            #[inline(always)]
            unsafe fn grow(
                &self,
                ptr: core::ptr::NonNull<u8>,
                old_layout: core::alloc::Layout,
                new_layout: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<[u8]>, $krate::alloc::AllocError> {
                // SAFETY: the trait's caller gives a live block with `old_layout`.
                unsafe { $name::resize(self, ptr, old_layout, new_layout) }
                    .map_err(|_| $krate::alloc::AllocError)
            }

            #[inline(always)]
            unsafe fn grow_zeroed(
                &self,
                ptr: core::ptr::NonNull<u8>,
                old_layout: core::alloc::Layout,
                new_layout: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<[u8]>, $krate::alloc::AllocError> {
                // SAFETY: the trait's caller gives a live block with `old_layout`.
                let block = unsafe { $name::resize(self, ptr, old_layout, new_layout) }
                    .map_err(|_| $krate::alloc::AllocError)?;
                let old_size = old_layout.size();
                // SAFETY: the new block has `new_layout.size() >= old_size`
                // bytes; the bytes past `old_size` are ours to write.
                unsafe {
                    block
                        .cast::<u8>()
                        .as_ptr()
                        .add(old_size)
                        .write_bytes(0, new_layout.size() - old_size)
                };
                Ok(block)
            }

            #[inline(always)]
            unsafe fn shrink(
                &self,
                ptr: core::ptr::NonNull<u8>,
                old_layout: core::alloc::Layout,
                new_layout: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<[u8]>, $krate::alloc::AllocError> {
                // SAFETY: the trait's caller gives a live block with
                // `old_layout` and a `new_layout` no larger.
                unsafe { $name::shrink(self, ptr, old_layout, new_layout) }
                    .map_err(|_| $krate::alloc::AllocError)
            }
        }
    };
}
