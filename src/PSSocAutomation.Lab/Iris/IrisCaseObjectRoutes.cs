using System.Text;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// /case/* routes on objects inside one case: IOCs, assets, note directories, notes and the summary. The case comes
/// from the cid rules in <see cref="IrisRouter"/>; validation failures answer "Data error" with field messages,
/// while uncaught Python errors (a list where tags should be a string, a dangling foreign key) are 500 pages.
/// </summary>
internal static class IrisCaseObjectRoutes
{
    private static readonly Field[] DirectoryFields =
    [
        new("name", FieldType.String, Required: true, Nullable: false),
        new("parent_id", FieldType.Integer),
    ];

    private static readonly Field[] NoteFields =
    [
        new("note_title", FieldType.String, Required: true, Nullable: false, Min: 1, Max: 154),
        new("note_content", FieldType.String),
        new("custom_attributes", FieldType.Raw),
    ];

    public static void Map(IrisRouter routes)
    {
        routes.Case("POST", "/case/ioc/add", write: true, AddIoc);
        routes.Case("GET", "/case/ioc/list", write: false, ListIocs);
        routes.Case("POST", "/case/assets/add", write: true, AddAsset);
        routes.Case("GET", "/case/assets/list", write: false, ListAssets);
        routes.Case("POST", "/case/notes/directories/add", write: true, AddDirectory);
        routes.Case("GET", "/case/notes/directories/filter", write: false, ListDirectories);
        routes.Case("POST", "/case/notes/add", write: true, AddNote);
        routes.Case("POST", "/case/notes/groups/add", write: true, NoteGroupsRemoved);
        routes.Case("GET", "/case/notes/groups/list", write: false, NoteGroupsRemoved);
        routes.Case("GET", "/case/summary/fetch", write: false, FetchSummary);
        routes.Case("POST", "/case/summary/update", write: true, UpdateSummary);
    }

    private static IrisReply DataError(IrisValidationException e) => IrisEnvelope.Error("Data error", e.Errors.ToJson());

    private static IrisReply AddIoc(IrisRequest r)
    {
        var body = r.JsonObject();
        IocInput ioc;
        try { ioc = IrisValidation.LoadIoc(body); }
        catch (IrisValidationException e) { return DataError(e); }

        if (IrisLookups.IocType(ioc.TypeId) is null) return IrisEnvelope.Error("Not a valid IOC type");
        if (ioc.TlpId is int tlp && IrisLookups.Tlp(tlp) is null) throw IrisValidation.ForeignKey("ioc", "ioc_tlp_id", tlp, "tlp");

        // IOCs are global in 2.4: the same value and type reuse the existing row and only gain a link to this case.
        var existing = r.Store.FindIoc(ioc.Value, ioc.TypeId);
        var row = existing ?? r.Store.AddIoc(new IrisIoc
        {
            IocId = 0, Uuid = Guid.NewGuid(), Value = ioc.Value, TypeId = ioc.TypeId, TlpId = ioc.TlpId, Description = ioc.Description,
            Tags = ioc.Tags, Enrichment = ioc.Enrichment, CustomAttributes = ioc.CustomAttributes, UserId = r.User.Id,
        });
        var linked = r.Store.LinkIoc(row.IocId, r.CaseId);
        var message = linked ? "IOC already exists and linked to this case"
            : existing is not null ? "IOC already existed in DB. Updated with info on DB." : "IOC added";
        return IrisEnvelope.Success(message, IrisSchemas.Ioc(r.Store.Iocs[row.IocId]));
    }

    private static IrisReply ListIocs(IrisRequest r)
    {
        // The listing inner-joins the TLP table, so an IOC stored without a TLP is in the case but not in this list.
        var iocs = r.Store.IocsOfCase(r.CaseId)
            .Where(i => IrisLookups.Tlp(i.TlpId) is not null && IrisLookups.IocType(i.TypeId) is not null)
            .OrderBy(i => IrisLookups.IocType(i.TypeId)!.Name, StringComparer.Ordinal).ThenBy(i => i.IocId)
            .Select(i => (JsonNode?)IrisSchemas.IocListItem(r.Store, i, r.CaseId)).ToArray();
        return IrisEnvelope.Success("", new JsonObject
        {
            ["ioc"] = new JsonArray(iocs),
            ["state"] = IrisSchemas.ObjectState(r.Store, r.CaseId, "ioc"),
        });
    }

    private static IrisReply AddAsset(IrisRequest r)
    {
        var body = r.JsonObject();
        AssetInput asset;
        try { asset = IrisValidation.LoadAsset(body); }
        catch (IrisValidationException e) { return DataError(e); }

        var duplicate = r.Store.AssetsOfCase(r.CaseId).Any(a =>
            a.TypeId == asset.TypeId && string.Equals(a.Name, asset.Name, StringComparison.OrdinalIgnoreCase));
        if (duplicate) return IrisEnvelope.Error("Data error", IrisErrors.Of("asset_name", "Asset name already exists in this case").ToJson());

        var now = Py.UtcNow();
        var stored = r.Store.AddAsset(new IrisAsset
        {
            AssetId = 0, Uuid = Guid.NewGuid(), Name = asset.Name, TypeId = asset.TypeId, Description = asset.Description, Ip = asset.Ip,
            Domain = asset.Domain, Info = asset.Info, Tags = asset.Tags, Enrichment = asset.Enrichment,
            AnalysisStatusId = asset.AnalysisStatusId ?? 1, CompromiseStatusId = asset.CompromiseStatusId,
            CustomAttributes = asset.CustomAttributes, CaseId = r.CaseId, UserId = r.User.Id, DateAdded = now, DateUpdate = now,
            IocIds = asset.IocLinks.Where(r.Store.Iocs.ContainsKey).Distinct().ToList(),
        });
        return IrisEnvelope.Success("Asset added", IrisSchemas.Asset(stored));
    }

    private static IrisReply ListAssets(IrisRequest r) => IrisEnvelope.Success("", new JsonObject
    {
        ["assets"] = new JsonArray(r.Store.AssetsOfCase(r.CaseId).Select(a => (JsonNode?)IrisSchemas.AssetListItem(r.Store, a)).ToArray()),
        ["state"] = IrisSchemas.ObjectState(r.Store, r.CaseId, "assets"),
    });

    private static IrisReply AddDirectory(IrisRequest r)
    {
        if (!r.Version.HasNoteDirectories) throw new IrisReplyException(IrisEnvelope.NotFound(r.Http.Request));
        var body = r.JsonObject();
        try
        {
            body.TryGetPropertyValue("parent_id", out var parentNode);
            IrisValidation.AssertInt(parentNode, "parent_id", allowNone: true);
            var errors = new IrisErrors();
            var loaded = IrisValidation.Load(body, DirectoryFields, errors);
            if (errors.Any) throw new IrisValidationException(errors);
            var parentId = loaded.Int("parent_id");
            if (parentId is int p && !(r.Store.Directories.TryGetValue(p, out var parent) && parent.CaseId == r.CaseId))
                throw new IrisValidationException(IrisErrors.Of("parent_id", "Invalid parent id for the directory"));
            var directory = r.Store.AddDirectory(loaded.Str("name")!, parentId, r.CaseId);
            return IrisEnvelope.Success("Directory added", IrisSchemas.Directory(directory));
        }
        catch (IrisValidationException e)
        {
            return DataError(e);
        }
    }

    private static IrisReply ListDirectories(IrisRequest r)
    {
        if (!r.Version.HasNoteDirectories) throw new IrisReplyException(IrisEnvelope.NotFound(r.Http.Request));
        return IrisEnvelope.Success("", new JsonArray(r.Store.Directories.Values.Where(d => d.CaseId == r.CaseId)
            .Select(d => (JsonNode?)IrisSchemas.DirectoryTree(r.Store, d)).ToArray()));
    }

    private static IrisReply AddNote(IrisRequest r)
    {
        var body = r.JsonObject();
        try
        {
            var errors = new IrisErrors();
            var loaded = IrisValidation.Load(body, NoteFields, errors);
            if (errors.Any) throw new IrisValidationException(errors);
            if (body.TryGetPropertyValue("custom_attributes", out var attributes)) IrisValidation.AssertDict(attributes, "custom_attributes");

            // 2.4 files every note in a directory of the same case; 2.3's group_id is not read any more.
            body.TryGetPropertyValue("directory_id", out var directoryNode);
            IrisValidation.AssertInt(directoryNode, "directory_id");
            if (Py.SqlInt(directoryNode) is not long d
                || !r.Store.Directories.TryGetValue((int)Math.Clamp(d, 0, int.MaxValue), out var directory) || directory.CaseId != r.CaseId)
                throw new IrisValidationException(IrisErrors.Of("directory_id", "Invalid directory id for the case"));

            var now = Py.UtcNow();
            var note = r.Store.AddNote(new IrisNote
            {
                NoteId = 0, Uuid = Guid.NewGuid(), Title = loaded.Str("note_title")!, Content = loaded.Str("note_content") ?? string.Empty,
                CaseId = r.CaseId, DirectoryId = directory.Id, UserId = r.User.Id, CreationDate = now, LastUpdate = now,
                CustomAttributes = loaded.Raw("custom_attributes"),
            });
            return IrisEnvelope.Success($"Note ID {note.NoteId} created", IrisSchemas.Note(r.Store, note));
        }
        catch (IrisValidationException e)
        {
            return DataError(e);
        }
    }

    /// <summary>2.4 replaced note groups with directories and answers the old endpoints with 410.</summary>
    private static IrisReply NoteGroupsRemoved(IrisRequest r) => r.Version.HasNoteDirectories
        ? IrisEnvelope.Error("Endpoint deprecated in v2.4.0. Use /case/notes/directories/filter.", status: 410)
        : IrisEnvelope.Error("Note groups are not emulated by the Lab before 2.4", status: 501);

    private static IrisReply FetchSummary(IrisRequest r)
    {
        var description = r.Store.Cases[r.CaseId].Description ?? string.Empty;
        return IrisEnvelope.Success("", new JsonObject { ["case_description"] = description, ["crc32"] = Crc32(description) });
    }

    private static IrisReply UpdateSummary(IrisRequest r)
    {
        var body = r.JsonObject();
        body.TryGetPropertyValue("case_description", out var node);
        if (!body.ContainsKey("case_description"))
            return IrisEnvelope.Error("Data error", IrisErrors.Of("case_description", IrisValidation.Missing).ToJson());
        var description = Py.Str(node) ?? throw new IrisPythonException($"'{Py.TypeName(node)}' object has no attribute 'encode'");
        var c = r.Store.Cases[r.CaseId];
        r.Store.UpdateCase(c with { Description = description, History = r.Store.History(c.History, r.User, "summary updated") });
        return IrisEnvelope.Success("Summary updated", Crc32(description));
    }

    /// <summary>binascii.crc32 of the UTF-8 text: the UI uses it to notice concurrent edits.</summary>
    private static long Crc32(string text)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc & 0xFFFFFFFFu;
    }
}
