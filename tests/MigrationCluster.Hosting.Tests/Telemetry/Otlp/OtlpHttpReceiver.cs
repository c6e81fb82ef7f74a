using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace MigrationCluster.Hosting.Tests.Telemetry.Otlp;

/// <summary>
/// A real OTLP/HTTP receiver on Kestrel (127.0.0.1, a free port): decodes POST /v1/traces bodies
/// with the C# types generated from our .proto files and answers with an empty
/// ExportTraceServiceResponse. POST /v1/metrics bodies are kept as bytes.
/// </summary>
internal sealed class OtlpHttpReceiver : IAsyncDisposable
{
    public const string ProtobufContentType = "application/x-protobuf";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<ExportTraceServiceRequest> traceRequests = new();
    private readonly ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> requests = new();

    private OtlpHttpReceiver(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ExportTraceServiceRequest> TraceRequests => [.. traceRequests];

    public IReadOnlyList<(string Path, string? ContentType, byte[] Body)> Requests => [.. requests];

    public IEnumerable<Span> AllSpans =>
        TraceRequests.SelectMany(r => r.ResourceSpans).SelectMany(rs => rs.ScopeSpans).SelectMany(ss => ss.Spans);

    public static async Task<OtlpHttpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpHttpReceiver(app);
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
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        var path = context.Request.Path.Value ?? string.Empty;
        requests.Enqueue((path, context.Request.ContentType, bytes));

        switch (path)
        {
            case "/v1/traces":
                if (context.Request.ContentType != ProtobufContentType)
                {
                    context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                    return;
                }

                traceRequests.Enqueue(ExportTraceServiceRequest.Parser.ParseFrom(bytes));
                context.Response.ContentType = ProtobufContentType;
                await context.Response.Body.WriteAsync(new ExportTraceServiceResponse().ToByteArray());
                break;
            case "/v1/metrics":
                context.Response.ContentType = ProtobufContentType;
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }
}
