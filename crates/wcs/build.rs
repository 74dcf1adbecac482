fn main() {
    // Debian's wcslib-dev; linked dynamically
    if let Err(e) = pkg_config::Config::new()
        .atleast_version("7.0")
        .probe("wcslib")
    {
        panic!("wcslib not found with pkg-config ({e}); install the Debian package wcslib-dev");
    }
}
