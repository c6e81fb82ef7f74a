namespace MigrationCluster.Runtime.Telemetry;

/// <summary>Every activity source, span, tag and instrument name of the runtime, in one place.</summary>
public static class TelemetryNames
{
    /// <summary>Activity source of grain calls (client and server spans).</summary>
    public const string RuntimeActivitySource = "MigrationCluster.Runtime";

    /// <summary>Meter of the runtime's instruments.</summary>
    public const string RuntimeMeter = "MigrationCluster.Runtime";

    /// <summary>
    /// Operation name of the placeholder activity that carries a caller's trace context into a
    /// grain when nobody listens to the runtime's source (so application spans stay in the trace).
    /// </summary>
    public const string PropagationActivity = "MigrationCluster.Propagation";

    public static class Tags
    {
        public const string RpcSystem = "rpc.system";
        public const string RpcSystemValue = "migrationcluster";
        public const string RpcService = "rpc.service";
        public const string RpcMethod = "rpc.method";
        public const string GrainId = "grain.id";
        public const string GrainType = "grain.type";
        public const string CallerGrainId = "grain.caller";
        public const string Silo = "silo";
        public const string ExceptionType = "exception.type";
        public const string ExceptionMessage = "exception.message";
        public const string Method = "method";
        public const string Outcome = "outcome";
    }

    public static class Instruments
    {
        public const string CallDuration = "grain.call.duration";
        public const string Calls = "grain.calls";
        public const string CallTimeouts = "grain.call.timeouts";
        public const string Activations = "grain.activations";
        public const string ActivationsCreated = "grain.activations.created";
    }

    public static class Events
    {
        public const string Exception = "exception";
    }
}
