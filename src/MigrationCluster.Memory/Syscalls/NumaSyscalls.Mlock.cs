using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;
using static MigrationCluster.Memory.Syscalls.MlockFlags;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// mlock(2), mlock2(2) and munlock(2), as mm/mlock.c has them (do_mlock, apply_vma_lock_flags,
/// mlock_fixup, mlock_vma_pages_range) with mm/gup.c's __mm_populate. Locked pages stay
/// migratable (isolate_lru_page takes them off the unevictable list like any other); the
/// fault paths of both engines mlock what they map into a VM_LOCKED VMA and munlock what they
/// unmap from one. RLIMIT_MEMLOCK is not modelled (as if unlimited, or CAP_IPC_LOCK).
/// </summary>
public sealed partial class NumaSyscalls
{
    /// <summary>
    /// mlock2(addr, len, flags) by the task <paramref name="pid"/> on its pages
    /// [<paramref name="start"/>, start + <paramref name="pages"/>); mlock(2) is flags 0. Returns 0 or -errno.
    /// </summary>
    public async ValueTask<int> Mlock(int pid, long start, long pages, int flags)
    {
        if (await FindTask(pid) is null)
        {
            return -Errno.ESRCH;
        }

        // mlock2: MLOCK_ONFAULT is the only flag.
        if ((flags & ~MLOCK_ONFAULT) != 0)
        {
            return -Errno.EINVAL;
        }

        return await DoMlock(pid, start, pages, (flags & MLOCK_ONFAULT) != 0);
    }

    /// <summary>munlock(addr, len) by the task <paramref name="pid"/>: 0 or -errno (-ENOMEM where the range is not mapped).</summary>
    public async ValueTask<int> Munlock(int pid, long start, long pages)
    {
        if (await FindTask(pid) is null)
        {
            return -Errno.ESRCH;
        }

        return await ApplyVmaLockFlags(_machine.TaskMm(pid), start, pages, locked: false, onFault: false);
    }

    /// <summary>
    /// do_mlock: the VMAs take VM_LOCKED (and VM_LOCKONFAULT), then __mm_populate faults the
    /// range in, its errors turned into mlock's (__mlock_posix_error_return: -EFAULT is -ENOMEM,
    /// -ENOMEM is -EAGAIN). The VMAs stay locked if populating fails.
    /// </summary>
    private async ValueTask<int> DoMlock(int pid, long start, long pages, bool onFault)
    {
        AddressSpaceMemory mm = _machine.TaskMm(pid);
        int err = await ApplyVmaLockFlags(mm, start, pages, locked: true, onFault);
        if (err != 0)
        {
            return err;
        }

        err = await MmPopulate(pid, mm, start, start + pages);
        return err switch
        {
            -Errno.EFAULT => -Errno.ENOMEM,
            -Errno.ENOMEM => -Errno.EAGAIN,
            _ => err,
        };
    }

    /// <summary>
    /// apply_vma_lock_flags with mlock_fixup's page walk (mlock_vma_pages_range): every present
    /// page of a VMA whose VM_LOCKED changed is mlocked or munlocked (the zero page is no
    /// normal page and is skipped); pages not present are left to their faults.
    /// </summary>
    private async ValueTask<int> ApplyVmaLockFlags(AddressSpaceMemory mm, long start, long pages, bool locked, bool onFault)
    {
        var changed = new List<Vma>();
        int err = mm.ApplyVmaLockFlags(start, start + pages, locked, onFault, changed);
        var walked = new List<PageRef>();
        foreach (Vma vma in changed)
        {
            for (long v = vma.Start; v < vma.End; v++)
            {
                if (mm.GetPte(v) is { Kind: PteKind.Present } pte)
                {
                    walked.Add(pte.Page);
                }
            }
        }

        if (walked.Count > 0)
        {
            await _machine.MlockPages(walked, locked);
        }

        return err;
    }

    /// <summary>
    /// __mm_populate and populate_vma_page_range: each VMA of the range is faulted in page by
    /// page, unless VM_LOCKONFAULT. A private writable VMA takes write faults (FOLL_WRITE) so
    /// that copy-on-write is broken now; a shared or read-only one read faults. Returns 0 or the
    /// first fault's -errno.
    /// </summary>
    private async ValueTask<int> MmPopulate(int pid, AddressSpaceMemory mm, long start, long end)
    {
        foreach (Vma vma in mm.Vmas.Where(v => v.End > start && v.Start < end).ToList())
        {
            if (vma.LockOnFault)
            {
                continue;
            }

            bool write = vma.Writable && vma.Kind is VmaKind.AnonPrivate or VmaKind.FilePrivate;
            for (long v = Math.Max(start, vma.Start); v < Math.Min(end, vma.End); v++)
            {
                var (errno, _) = await _machine.GetUserPage(pid, v, write);
                if (errno < 0)
                {
                    return errno;
                }
            }
        }

        return 0;
    }
}
