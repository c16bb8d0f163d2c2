/// The favicon, an SVG served at /static/favicon.svg.
enum Favicon {
    static let svg = #"""
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f5fbf"/><path d="M8 12h13l-3-3M24 20H11l3 3" stroke="#fff" stroke-width="2.6" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>
"""#
}
