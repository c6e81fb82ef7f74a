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
    /// <summary>
    /// Maps the page and its API on <paramref name="page"/> (a route group: the page's own links
    /// are relative, so it works under any prefix), reading the cluster through <paramref name="reader"/>.
    /// </summary>
    public static RouteGroupBuilder MapMachinePage(this RouteGroupBuilder page, MachineStateReader reader)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(reader);
        foreach (var asset in MachinePageAssets.Files.Values)
        {
            var index = asset.Name == "index.html";
            page.MapGet(index ? "/" : "/" + asset.Name, (HttpContext context) =>
            {
                if (index && context.Request.Path.Value?.EndsWith('/') == false)
                {
                    // Under a prefix, "/prefix" must become "/prefix/" for the relative links to resolve.
                    return Results.Redirect(context.Request.PathBase + context.Request.Path + "/");
                }
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(asset.Content, asset.ContentType);
            });
        }

        var api = page.MapGroup("/api");
        api.MapGet("/state", () => Read(reader, state => state));
        api.MapGet("/machine", () => Read(reader, state => new { state.Cluster, state.Configured, state.Message, state.Machine }));
        api.MapGet("/nodes", () => Read(reader, state => state.Nodes));
        api.MapGet("/vmstat", () => Read(reader, state => state.VmStat));
        api.MapGet("/rate", () => Read(reader, state => state.Rate));
        api.MapGet("/migrations", () => Read(reader, state => state.Migrations));
        return page;
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
