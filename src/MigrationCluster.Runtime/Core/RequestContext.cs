using MigrationCluster.Runtime.Scheduler;

namespace MigrationCluster.Runtime.Core;

/// <summary>
/// The ambient context that travels with calls. Today it carries the call-chain reentrancy
/// scope: inside <see cref="AllowCallChainReentrancy"/>, a grain that this grain calls (directly
/// or through others) may call back into it even though it is not reentrant.
/// </summary>
public static class RequestContext
{
    private static readonly AsyncLocal<Guid> CallChain = new();

    // Set when the first chain is opened or joined in this process. Until then no chain can be
    // current, and every grain call (which asks for the chain) is spared the async-local read.
    private static volatile bool s_chainsInUse;

    /// <summary>The call chain the current code belongs to, or <see cref="Guid.Empty"/>.</summary>
    public static Guid CallChainId => s_chainsInUse ? CallChain.Value : Guid.Empty;

    /// <summary>
    /// Opens a call-chain reentrancy scope for the current grain activation. Dispose it to close.
    /// Must be called from inside a grain.
    /// </summary>
    public static IDisposable AllowCallChainReentrancy()
    {
        var activation = RuntimeContext.Current
            ?? throw new InvalidOperationException("AllowCallChainReentrancy must be called from inside a grain.");
        s_chainsInUse = true;
        var previous = CallChain.Value;
        var chain = previous != Guid.Empty ? previous : Guid.NewGuid();
        activation.OpenCallChain(chain);
        CallChain.Value = chain;
        return new CallChainScope(activation, chain, previous);
    }

    /// <summary>Joins the call chain of an incoming request for the duration of its turn.</summary>
    internal static CallChainRestore EnterCallChain(Guid chain)
    {
        s_chainsInUse = true;
        var previous = CallChain.Value;
        CallChain.Value = chain;
        return new CallChainRestore(previous, true);
    }

    internal readonly struct CallChainRestore(Guid previous, bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active)
            {
                CallChain.Value = previous;
            }
        }
    }

    private sealed class CallChainScope(Catalog.Activation activation, Guid chain, Guid previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                activation.CloseCallChain(chain);
                CallChain.Value = previous;
            }
        }
    }
}
