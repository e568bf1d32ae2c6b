namespace PSSocAutomation.Lab.Iris;

/// <summary>One page as Flask-SQLAlchemy's paginate(error_out=False) cuts it.</summary>
internal sealed record IrisPage<T>(int Total, IReadOnlyList<T> Items, int Pages, int Page, int? Next);

internal static class IrisPaging
{
    /// <summary>
    /// page &lt; 1 becomes 1 and per_page &lt; 1 becomes 20 (no error with error_out=False); there is no upper bound on
    /// per_page; a page past the end is empty; next_page is null on the last page; last_page is 0 when nothing matched.
    /// </summary>
    public static IrisPage<T> Page<T>(IReadOnlyList<T> all, int page, int perPage)
    {
        if (page < 1) page = 1;
        if (perPage < 1) perPage = 20;
        var total = all.Count;
        var pages = total == 0 ? 0 : (int)Math.Ceiling(total / (double)perPage);
        var skip = (long)(page - 1) * perPage;
        IReadOnlyList<T> items = skip >= total ? [] : all.Skip((int)skip).Take(perPage).ToList();
        return new IrisPage<T>(total, items, pages, page, page < pages ? page + 1 : null);
    }
}
