using DeployRunner.Handlers.Kubectl;

namespace DeployRunner.Tests.Kubectl;

public sealed class ImageOverrideTests
{
    [Theory]
    [InlineData("nginx", "nginx")]
    [InlineData("nginx:1.27", "nginx")]
    [InlineData("ghcr.io/acme/web:v1", "ghcr.io/acme/web")]
    [InlineData("localhost:5000/app", "localhost:5000/app")]
    [InlineData("localhost:5000/app:1", "localhost:5000/app")]
    [InlineData("localhost:5000/team/app:1@sha256:abcd", "localhost:5000/team/app")]
    [InlineData("app@sha256:abcd", "app")]
    [InlineData("registry:443/app", "registry:443/app")]
    public void The_repository_is_the_image_without_tag_or_digest_and_keeps_a_registry_port(string image, string repository) =>
        Assert.Equal(repository, ImageOverride.RepositoryOf(image));

    [Fact]
    public void Containers_and_init_containers_get_the_new_image_wherever_their_pod_template_is()
    {
        var objects = Manifests.Read("""
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              jobTemplate:
                spec:
                  template:
                    spec:
                      initContainers: [{name: wait, image: "localhost:5000/app:old"}]
                      containers:
                      - {name: job, image: localhost:5000/app}
                      - {name: other, image: localhost:5000/application:1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: solo}
            spec:
              containers: [{name: c, image: busybox:1.36}]
            """, "test.yaml");
        var overrides = ImageOverride.ParseAll(["localhost:5000/app=localhost:5000/app:new", "busybox=busybox@sha256:feed"]);

        var counts = ImageOverride.Apply(overrides, objects);

        Assert.Equal([2, 1], counts);
        var rendered = Manifests.Render(objects);
        Assert.Contains("image: \"localhost:5000/app:new\"", rendered);
        Assert.Contains("localhost:5000/application:1", rendered);
        Assert.Contains("image: \"busybox@sha256:feed\"", rendered);
        Assert.DoesNotContain("app:old", rendered);
    }

    [Fact]
    public void An_override_that_matches_nothing_counts_zero()
    {
        var objects = Manifests.Read("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: web:1}]\n", "p.yaml");

        var counts = ImageOverride.Apply(ImageOverride.ParseAll(["wbe=wbe:2"]), objects);

        Assert.Equal([0], counts);
        Assert.Contains("web:1", Manifests.Render(objects));
        Assert.DoesNotContain("wbe", Manifests.Render(objects));
    }

    [Fact]
    public void Image_fields_outside_container_lists_are_left_alone()
    {
        var objects = Manifests.Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  image: web:1\n", "c.yaml");

        Assert.Equal([0], ImageOverride.Apply(ImageOverride.ParseAll(["web=web:2"]), objects));
    }

    [Theory]
    [InlineData("web", "is not NAME=IMAGE")]
    [InlineData("=web:1", "is not NAME=IMAGE")]
    [InlineData("web=", "is not NAME=IMAGE")]
    [InlineData("web=web 2", "is not NAME=IMAGE")]
    [InlineData("web:1=web:2", "names a tag or digest")]
    public void A_malformed_line_is_refused(string line, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => ImageOverride.ParseAll([line]));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void The_same_name_twice_is_refused() =>
        Assert.Contains("twice", Assert.Throws<ConfigurationException>(() => ImageOverride.ParseAll(["web=web:1", "web=web:2"])).Message);
}
