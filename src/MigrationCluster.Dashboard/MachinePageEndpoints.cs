using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Runtime;

namespace MigrationCluster.Dashboard;

/// <summary>
/// The machine's page (<c>/</c> and its script and style) and the JSON it reads:
/// <c>/api/state</c> (all of it, what the page polls), and its parts <c>/api/machine</c>,
/// <c>/api/nodes</c>, <c>/api/vmstat</c>, <c>/api/rate</c>, <c>/api/migrations</c>. When the cluster
/// does not answer, the API says so with 503 and <c>{"error": "..."}</c>.
/// </summary>
public static class MachinePageEndpoints
{
    public static IEndpointRouteBuilder MapMachinePage(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        foreach (var asset in MachinePageAssets.Files.Values)
        {
            app.MapGet(asset.Name == "index.html" ? "/" : "/" + asset.Name, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(asset.Content, asset.ContentType);
            });
        }

        var api = app.MapGroup("/api");
        api.MapGet("/state", (MachineStateReader reader) => Read(reader, state => state));
        api.MapGet("/machine", (MachineStateReader reader) => Read(reader, state => new { state.Cluster, state.Configured, state.Message, state.Machine }));
        api.MapGet("/nodes", (MachineStateReader reader) => Read(reader, state => state.Nodes));
        api.MapGet("/vmstat", (MachineStateReader reader) => Read(reader, state => state.VmStat));
        api.MapGet("/rate", (MachineStateReader reader) => Read(reader, state => state.Rate));
        api.MapGet("/migrations", (MachineStateReader reader) => Read(reader, state => state.Migrations));
        return app;
    }

    private static async Task<IResult> Read<T>(MachineStateReader reader, Func<MachineState, T> part)
    {
        try
        {
            var state = await reader.ReadAsync().ConfigureAwait(false);
            return Results.Json(part(state));
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException or InvalidOperationException)
        {
            return Results.Json(new { error = $"the cluster did not answer: {exception.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
