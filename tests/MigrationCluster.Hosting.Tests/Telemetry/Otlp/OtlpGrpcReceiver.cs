using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MigrationCluster.Hosting.Tests.Telemetry.Otlp;

/// <summary>
/// A real OTLP/gRPC receiver: Kestrel speaking cleartext HTTP/2 on 127.0.0.1, unframing the
/// length-prefixed ExportTraceServiceRequest by hand (gRPC for .NET is not available here) and
/// answering with an empty response and <c>grpc-status: 0</c> in the trailers.
/// </summary>
internal sealed class OtlpGrpcReceiver : IAsyncDisposable
{
    public const string ExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<ExportTraceServiceRequest> traceRequests = new();

    private OtlpGrpcReceiver(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ExportTraceServiceRequest> TraceRequests => [.. traceRequests];

    public static async Task<OtlpGrpcReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var receiver = new OtlpGrpcReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Urls.Single());
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != ExportPath || context.Request.Protocol != HttpProtocol.Http2)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var frame = body.ToArray();

        // gRPC message frame: 1 byte "compressed" flag, 4 bytes big-endian length, the message.
        var length = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(1, 4));
        if (frame[0] != 0 || length != frame.Length - 5)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        traceRequests.Enqueue(ExportTraceServiceRequest.Parser.ParseFrom(frame, 5, length));
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }
}
