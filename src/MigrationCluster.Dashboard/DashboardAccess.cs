using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Orleans.Runtime;

namespace MigrationCluster.Dashboard;

/// <summary>
/// Who may read the dashboard, and what Orleans' dashboard is asked. With an access token (required
/// when listening beyond loopback: the pages show the cluster's inner workings and Orleans'
/// dashboard streams the silos' logs) every route asks for it: an <c>Authorization: Bearer</c>
/// header, or <c>?token=</c> once, which leaves a cookie for the page's own requests. Orleans'
/// dashboard routes that take a silo address get a 400 for one that is not, instead of its 500.
/// </summary>
public static class DashboardAccess
{
    public const string TokenQueryName = "token";
    public const string TokenCookieName = "mc-dashboard-token";

    /// <summary>Orleans' dashboard routes whose rest is a silo address (its routes as of 10.4.2).</summary>
    private static readonly string[] SiloAddressRoutes = ["HistoricalStats", "SiloProperties", "SiloMetadata", "SiloStats", "SiloCounters"];

    /// <summary>A fresh token: 32 random bytes, URL-safe.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="address"/> is a loopback address (only this machine can reach it).</summary>
    public static bool IsLoopback(IPAddress address) => IPAddress.IsLoopback(address);

    /// <summary>Puts the token check and the request checks in front of every route.</summary>
    public static void UseDashboardAccess(this WebApplication app, string? token, string orleansDashboardPath)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (token is not null)
        {
            var expected = Encoding.UTF8.GetBytes(token);
            app.Use(async (context, next) =>
            {
                if (Presented(context.Request) is { } presented && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected))
                {
                    if (context.Request.Query.ContainsKey(TokenQueryName))
                    {
                        // Once in the address bar is enough: the page's own requests carry the cookie.
                        context.Response.Cookies.Append(TokenCookieName, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
                    }
                    await next(context).ConfigureAwait(false);
                    return;
                }
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsync("This dashboard needs its access token: open the address the command printed (with ?token=...), or send 'Authorization: Bearer TOKEN'.\n").ConfigureAwait(false);
            });
        }
        app.Use(async (context, next) =>
        {
            if (MalformedSiloAddress(context.Request.Path, orleansDashboardPath) is { } problem)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync(problem + "\n").ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
    }

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        if (request.Query.TryGetValue(TokenQueryName, out var query) && query.Count == 1)
        {
            return query[0];
        }
        return request.Cookies.TryGetValue(TokenCookieName, out var cookie) ? cookie : null;
    }

    /// <summary>A sentence when <paramref name="path"/> is one of Orleans' silo routes with something that is not a silo address.</summary>
    internal static string? MalformedSiloAddress(PathString path, string orleansDashboardPath)
    {
        foreach (var route in SiloAddressRoutes)
        {
            if (path.StartsWithSegments($"{orleansDashboardPath}/{route}", StringComparison.OrdinalIgnoreCase, out var rest))
            {
                var text = Uri.UnescapeDataString(rest.Value?.TrimStart('/') ?? string.Empty);
                if (text.Length == 0)
                {
                    return null;
                }
                try
                {
                    SiloAddress.FromParsableString(text);
                    return null;
                }
#pragma warning disable CA1031 // Whatever the parser throws, the answer is the same: not a silo address.
                catch (Exception)
#pragma warning restore CA1031
                {
                    return $"'{text}' is not a silo address (expected IP:PORT@GENERATION, as the silo list shows them)";
                }
            }
        }
        return null;
    }
}
