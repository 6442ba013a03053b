using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Schema;

namespace Realm.Server.Tests.Data.Queries;

[TestFixture]
[CancelAfter(10_000)]
public sealed class QueryCatalogTests
{
    [Test]
    public void Get_UnknownName_ThrowsNamingItAndSuggestingNeighbours()
    {
        var catalog = new QueryCatalog();
        DataQueries.AddTo(catalog);
        var e = Assert.Throws<QueryCatalogException>(() => catalog.Get("player.lod"));
        Assert.That(e!.Message, Does.Contain("unknown query \"player.lod\"").And.Contain("player.load"));
        Assert.That(catalog.Get(DataQueries.PlayerLoad).Name, Is.EqualTo("player.load"));
    }

    [Test]
    public void Validate_MissingDialectInUse_ListsEveryQueryLackingIt_AndDialectsNotInUseAreFine()
    {
        var catalog = new QueryCatalog();
        catalog.Add("a", "SELECT 1", "SELECT 1");
        catalog.Add("b", "SELECT 2", null);
        catalog.Add("c", "SELECT 3", " ");

        Assert.DoesNotThrow(() => new QueryCatalog().Validate(DatabaseProvider.MySql));
        var e = Assert.Throws<QueryCatalogException>(() => catalog.Validate(DatabaseProvider.MySql, DatabaseProvider.Sqlite));
        Assert.That(e!.Message, Does.Contain("\"b\" has no Sqlite SQL").And.Contain("\"c\" has no Sqlite SQL").And.Not.Contain("\"a\""));
        Assert.That(catalog.IsFrozen, Is.False);

        catalog.Validate(DatabaseProvider.MySql);
        Assert.That(catalog.IsFrozen, Is.True);
        Assert.Throws<InvalidOperationException>(() => catalog.Add("d", "SELECT 4", null));
    }

    [TestCase("", "SELECT 1", "SELECT 1", new[] { "@x" }, "not allowed")]
    [TestCase("has space", "SELECT 1", "SELECT 1", new string[0], "not allowed")]
    [TestCase("q", null, null, new string[0], "no SQL for any dialect")]
    [TestCase("q", "SELECT @a", "SELECT @a", new[] { "a" }, "parameter \"a\" is not allowed")]
    [TestCase("q", "SELECT @a", "SELECT @a", new[] { "@a", "@a" }, "declared twice")]
    [TestCase("q", "SELECT @ab", "SELECT @a", new[] { "@a" }, "@a does not occur in its MySql SQL")]
    [TestCase("q", "SELECT @a", "SELECT 1", new[] { "@a" }, "@a does not occur in its Sqlite SQL")]
    public void Add_BadDeclaration_IsRefusedWithTheReason(string name, string? mySql, string? sqlite, string[] parameters, string reason)
    {
        var e = Assert.Throws<QueryCatalogException>(() => new QueryCatalog().Add(name, mySql, sqlite, parameters));
        Assert.That(e!.Message, Does.Contain(reason));
    }

    [Test]
    public void Add_SameNameTwice_IsRefused()
    {
        var catalog = new QueryCatalog();
        catalog.Add("q", "SELECT 1", null);
        Assert.That(Assert.Throws<QueryCatalogException>(() => catalog.Add("q", "SELECT 2", null))!.Message, Does.Contain("declared twice"));
    }

    [Test]
    public void NamedQuery_SqlPerDialect_AndParameterIndexByNameWithOrWithoutAt()
    {
        var catalog = new QueryCatalog();
        NamedQuery q = catalog.Add("q", "SELECT @a, @b FROM dual", "SELECT @a, @b", "@a", "@b");
        Assert.That(q.Sql(DatabaseProvider.MySql), Is.EqualTo("SELECT @a, @b FROM dual"));
        Assert.That(q.Sql(DatabaseProvider.Sqlite), Is.EqualTo("SELECT @a, @b"));
        Assert.That((q.IndexOf("@b"), q.IndexOf("b"), q.IndexOf("a")), Is.EqualTo((1, 1, 0)));
        Assert.Throws<ArgumentException>(() => q.IndexOf("c"));
        Assert.Throws<QueryCatalogException>(() => catalog.Add("only_mysql", "SELECT 1", null).Sql(DatabaseProvider.Sqlite));
    }
}
