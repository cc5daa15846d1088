import { describe, expect, it } from 'vitest';
import { detectProduct } from '../../core/detection/index.ts';
import { scanPage } from '../../core/detection/sources/visible.ts';
import { ProductSnapshot } from '../../core/snapshot.ts';
import { page, parse } from './dom.ts';

const URL_ = 'https://www.shop.example/p/red-kettle-123456';
const ld = (data: unknown) => `<script type="application/ld+json">${JSON.stringify(data)}</script>`;

function detect(doc: Document, url: string | undefined = URL_) {
  const snapshot = detectProduct(doc, url ? { url } : {});
  if (snapshot) expect(() => ProductSnapshot.parse(snapshot)).not.toThrow();
  return snapshot;
}

describe('JSON-LD', () => {
  const product = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: 'Red Kettle 1.7 l',
    brand: { '@type': 'Brand', name: 'Kettlo' },
    sku: 'RK-17',
    mpn: 'K17R',
    gtin13: '4006381333931',
    image: ['/img/kettle.jpg'],
    offers: { '@type': 'Offer', price: '39.90', priceCurrency: 'EUR', availability: 'https://schema.org/InStock' },
  };

  it('reads a Product with its Offer, all fields normalised', () => {
    const s = detect(page('<h1>Red Kettle 1.7 l</h1>', ld(product)));
    expect(s).toMatchObject({
      name: 'Red Kettle 1.7 l',
      price: '39.9',
      currency: 'EUR',
      availability: 'InStock',
      brand: 'Kettlo',
      sku: 'RK-17',
      mpn: 'K17R',
      gtin: '4006381333931',
      image: 'https://www.shop.example/img/kettle.jpg',
      url: URL_,
      retailer: 'shop.example',
    });
    expect(s?.evidence.price).toEqual(['json-ld']);
  });

  it('finds the product in @graph, under mainEntity, as a list of types', () => {
    const graph = { '@context': 'https://schema.org', '@graph': [{ '@type': 'WebPage', mainEntity: { ...product, '@type': ['Product', 'Thing'] } }] };
    expect(detect(page('', ld(graph)))?.sku).toBe('RK-17');
  });

  it('reads AggregateOffer, lists of offers and priceSpecification', () => {
    const agg = { ...product, offers: { '@type': 'AggregateOffer', lowPrice: 35, highPrice: 45, priceCurrency: 'EUR' } };
    expect(detect(page('', ld(agg)))?.price).toBe('35');
    const list = {
      ...product,
      offers: [
        { '@type': 'Offer', price: '49.00', priceCurrency: 'EUR', availability: 'OutOfStock' },
        { '@type': 'Offer', price: '39.00', priceCurrency: 'EUR', availability: 'http://schema.org/InStock' },
      ],
    };
    expect(detect(page('', ld(list)))).toMatchObject({ price: '39', availability: 'InStock' });
    const spec = {
      ...product,
      offers: {
        '@type': 'Offer',
        priceSpecification: [
          { '@type': 'UnitPriceSpecification', priceType: 'https://schema.org/StrikethroughPrice', price: 59, priceCurrency: 'CHF' },
          { '@type': 'UnitPriceSpecification', price: 49.5, priceCurrency: 'CHF' },
        ],
      },
    };
    expect(detect(page('', ld(spec)))).toMatchObject({ price: '49.5', currency: 'CHF' });
  });

  it('reads a ProductGroup through its variants', () => {
    const group = {
      '@context': 'https://schema.org',
      '@type': 'ProductGroup',
      name: 'T-shirt',
      brand: 'Tee Co',
      productGroupID: 'TS1',
      hasVariant: [
        { '@type': 'Product', name: 'T-shirt S', sku: 'TS1-S', offers: { '@type': 'Offer', price: 15, priceCurrency: 'GBP', availability: 'OutOfStock' } },
        { '@type': 'Product', name: 'T-shirt M', sku: 'TS1-M', offers: { '@type': 'Offer', price: 15, priceCurrency: 'GBP', availability: 'InStock' } },
      ],
    };
    expect(detect(page('<h1>T-shirt</h1>', ld(group)))).toMatchObject({ name: 'T-shirt', price: '15', currency: 'GBP', availability: 'InStock' });
  });

  it('prefers the page product over products in lists and related items', () => {
    const related = {
      '@context': 'https://schema.org',
      '@type': 'ItemList',
      itemListElement: [{ '@type': 'ListItem', item: { ...product, name: 'Blue Kettle', sku: 'BK', offers: { '@type': 'Offer', price: 9, priceCurrency: 'EUR' } } }],
    };
    const s = detect(page('<h1>Red Kettle 1.7 l</h1>', ld(related) + ld(product)));
    expect(s).toMatchObject({ sku: 'RK-17', price: '39.9' });
    // A listing alone is not a product page.
    expect(detect(page('<h1>Kettles</h1>', ld(related)))).toBeNull();
  });

  it('finds the page product after hundreds of listed ones, and at its own address when names do not tell', () => {
    const listed = Array.from({ length: 320 }, (_, i) => ({ '@type': 'ListItem', item: { ...product, name: `Kettle ${i}`, sku: `K${i}` } }));
    const list = { '@context': 'https://schema.org', '@type': 'ItemList', itemListElement: listed };
    expect(detect(page('<h1>Red Kettle 1.7 l</h1>', ld(list) + ld(product)))?.sku).toBe('RK-17');
    // Two products, neither named like the heading: the one whose address is the page's (trailing slash aside).
    const other = { ...product, name: 'Jug', sku: 'JUG-1', url: 'https://www.shop.example/p/jug-1' };
    const own = { ...product, name: 'Kettle', sku: 'OWN-2', url: 'https://www.shop.example/p/red-kettle-123456/' };
    expect(detect(page('<h1>Something else</h1>', ld(other) + ld(own)))?.sku).toBe('OWN-2');
  });

  it('mends common JSON mistakes and skips what cannot be read', () => {
    const broken = `<script type="application/ld+json">{"@type":"Product","name":"Line
break","sku":"LB1","offers":{"@type":"Offer","price":"10","priceCurrency":"USD",},}</script>`;
    expect(detect(page('', broken))).toMatchObject({ sku: 'LB1', price: '10' });
    const garbage = '<script type="application/ld+json">{{{ not json</script>';
    expect(detect(page('<h1>Nothing</h1>', garbage + ld(product)))?.sku).toBe('RK-17');
  });

  it('ignores a product that is only part of an article (a subscription)', () => {
    const article = {
      '@context': 'https://schema.org',
      '@type': 'NewsArticle',
      headline: 'News',
      isPartOf: { '@type': ['CreativeWork', 'Product'], name: 'The Daily', productID: 'daily:basic' },
    };
    expect(detect(page('<h1>News</h1><p>Story.</p>', ld(article)))).toBeNull();
  });
});

describe('microdata', () => {
  it('reads itemprops, content attributes and nested offers and brands', () => {
    const html = `<div itemscope itemtype="https://schema.org/Product">
      <h1 itemprop="name">Walking Boots</h1>
      <img itemprop="image" src="/boots.jpg">
      <div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">Hiko</span></div>
      <span itemprop="sku" content="4667999">466/7999</span>
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
        <meta itemprop="priceCurrency" content="GBP"><span itemprop="price" content="89.99">£89.99</span>
        <link itemprop="availability" href="https://schema.org/InStock">
      </div>
    </div>`;
    expect(detect(page(html))).toMatchObject({
      name: 'Walking Boots',
      brand: 'Hiko',
      sku: '466/7999',
      price: '89.99',
      currency: 'GBP',
      availability: 'InStock',
      image: 'https://www.shop.example/boots.jpg',
    });
  });

  it('reads data-vocabulary.org products', () => {
    const html = `<div itemscope itemtype="http://data-vocabulary.org/Product"><h1 itemprop="name">Lamp</h1>
      <span itemprop="identifier" content="sku:L1"></span>
      <div itemprop="offerDetails" itemscope itemtype="http://data-vocabulary.org/Offer"><span itemprop="price">20,-</span><meta itemprop="currency" content="EUR"></div></div>`;
    // offerDetails is data-vocabulary's name for offers: without it only the name is known.
    const s = detect(page(html + '<button>Add to cart</button><span class="price">€ 20,-</span>'));
    expect(s).toMatchObject({ name: 'Lamp', price: '20', currency: 'EUR' });
  });

  it("ignores products inside another item's property or in related blocks", () => {
    const html = `<article itemscope itemtype="https://schema.org/NewsArticle"><h1 itemprop="headline">News</h1>
      <span itemprop="isPartOf" itemscope itemtype="https://schema.org/CreativeWork%20https://schema.org/Product"><meta itemprop="name" content="Paper"><meta itemprop="productID" content="paper:basic"></span></article>
      <div class="related-products"><div itemscope itemtype="https://schema.org/Product"><span itemprop="name">Other</span><span itemprop="sku">O1</span></div></div>`;
    expect(detect(page(html))).toBeNull();
  });
});

describe('RDFa', () => {
  it('reads typeof/property with the schema: prefix', () => {
    const html = `<div vocab="https://schema.org/" typeof="Product"><h1 property="name">Desk Lamp</h1>
      <span property="schema:sku">DL-1</span>
      <div property="offers" typeof="Offer"><span property="price" content="24.50">24,50 €</span><meta property="priceCurrency" content="EUR"></div></div>`;
    expect(detect(page(html))).toMatchObject({ name: 'Desk Lamp', sku: 'DL-1', price: '24.5', currency: 'EUR' });
  });
});

describe('meta tags', () => {
  it('reads Open Graph and product: tags, the sale price before the regular one', () => {
    const head = `<meta property="og:type" content="product"><meta property="og:title" content="Garden Chair | Shop Example">
      <meta property="og:site_name" content="Shop Example">
      <meta property="og:image" content="/chair.jpg"><meta property="product:price:amount" content="79.00">
      <meta property="product:original_price:amount" content="99.00">
      <meta property="product:price:currency" content="USD"><meta property="product:availability" content="instock">
      <meta property="product:brand" content="Sitwell"><meta property="product:retailer_item_id" content="GC-2">`;
    const s = detect(page('<p>Chair.</p>', head), 'https://shop.example/chair');
    expect(s).toMatchObject({
      name: 'Garden Chair',
      price: '79',
      currency: 'USD',
      availability: 'InStock',
      brand: 'Sitwell',
      sku: 'GC-2',
      image: 'https://shop.example/chair.jpg',
    });
    expect(s?.evidence.price).toEqual(['meta']);
  });

  it('reads itemprop metas outside any item', () => {
    const head = '<meta property="og:type" content="product"><meta property="og:title" content="Mug"><meta itemprop="price" content="8.50"><meta itemprop="priceCurrency" content="EUR">';
    expect(detect(page('<h1>Mug</h1>', head))).toMatchObject({ price: '8.5', currency: 'EUR' });
  });
});

describe('visible page', () => {
  const shop = (extra = '') => `<header><nav><a href="/">Home</a><span class="price">Free delivery over £50</span></nav></header>
    <ul class="breadcrumb"><li>Home</li><li>Kitchen</li></ul>
    <main><div class="product"><h1>Stainless Steel Kettle</h1>
      <div class="price-box"><span class="old-price"><del>£59.99</del></span><span class="price">£49.99</span></div>
      <p>Brand: Kettlo</p>
      <table><tr><th>Product code</th><td>KT-5001</td></tr><tr><th>Model number</th><td>SSK17</td></tr><tr><th>EAN</th><td>4006381333931</td></tr></table>
      <button class="btn">Add to basket</button>${extra}</div>
    <section class="related-products"><h2>You may also like</h2><div class="price">£9.99</div><button>Add to basket</button></section></main>`;

  it('reads heading, current price (not the crossed-out one), labelled identifiers, buy button', () => {
    const s = detect(page(shop(), '', 'en-GB'), 'https://www.kettles.example/kettle');
    expect(s).toMatchObject({
      name: 'Stainless Steel Kettle',
      price: '49.99',
      currency: 'GBP',
      availability: 'InStock',
      sku: 'KT-5001',
      mpn: 'SSK17',
      gtin: '4006381333931',
    });
    expect(s?.evidence.price).toEqual(['visible']);
  });

  it('reads "Item #", plural "Manufacturers Part Number", and label rows named by classes like item-num or book-meta', () => {
    const html = `<main><h1>Maple Bench Top</h1><p class="item-num">Item #: T9F432251</p><span class="price">$165.95</span>
      <button>Add to cart</button><ul class="specs"><li><span>MANUFACTURERS PART NUMBER</span><span>IST003-O</span></li></ul>
      <p><span class="bookmeta-col1">ISBN:</span> <span class="bookmeta-col2">978-3-407-86532-8</span></p></main>`;
    expect(detect(page(html, '', 'en-US'))).toMatchObject({ sku: 'T9F432251', mpn: 'IST003-O', gtin: '9783407865328' });
  });

  it('reads labels split across elements, after runs of spaces or a parenthesis, behind many menu entries', () => {
    const menu = Array.from({ length: 50 }, (_, i) => `<li><a href="/c/${i}">Category ${i}</a></li>`).join('');
    const html = `<ul>${menu}</ul><main><h1>Stainless Steel Kettle</h1><span class="price">£49.99</span><button>Add to basket</button>
      <ul class="specs"><li><b>Item</b> number: IT-42</li><li>${' '.repeat(200)}\n<span>Brand</span><span>Kettlo</span></li>
      <li>(EU) Model number: SSK17</li></ul></main>`;
    expect(detect(page(html))).toMatchObject({ sku: 'IT-42', brand: 'Kettlo', mpn: 'SSK17' });
  });

  it('reads a label after long indentation in nested elements, and not one that starts in a link at any depth', () => {
    const indented = `<div>\n${'\t'.repeat(150)}<span>\n\n\n</span><span>${' '.repeat(50)}Model number</span></div>`;
    const html = `<ul class="links"><li><span><span><a href="/sku">SKU: MENU-1</a></span></span></li></ul>
      <main><h1>Stainless Steel Kettle</h1><span class="price">£49.99</span><button>Add to basket</button>
      <table><tr><td>${indented}</td><td>SSK17</td></tr></table><ul><li>SKU: KT-5001</li></ul></main>`;
    expect(detect(page(html), 'https://www.kettles.example/kettle')).toMatchObject({ sku: 'KT-5001', mpn: 'SSK17' });
  });

  it("reads labels in list items when the page's own classes name a menu, and behind many images named like titles", () => {
    const images = '<img class="spec-title" src="/i.png">'.repeat(900);
    const body = `${images}<main><h1>Stainless Steel Kettle</h1><span class="price">£49.99</span><button>Add to basket</button>
      <ul><li>SKU: KT-5001</li></ul></main>`;
    const doc = parse(`<!doctype html><html lang="en" class="menu-closed"><head><title>Kettle</title></head><body class="has-mega-menu">${body}</body></html>`);
    expect(detect(doc, 'https://www.kettles.example/kettle')?.sku).toBe('KT-5001');
  });

  it('reads the kinds a class or id names, whatever its case and hyphens, overlapping words included', () => {
    const doc = page(`<a class="js-Add-To">+</a><a id="addtobasket">+</a><span class="cartitle">Kettle</span>
      <p class="js-PRODUCT-Price">£49.99</p><div class="crossSell"><a class="add-to-cart">+</a></div>`);
    const classes = (list: Element[]) => list.map((el) => el.className || el.id);
    const scan = scanPage(doc);
    // "cartitle": cart (a buy button) and title; the cross-sell block's button is another product's.
    expect(classes(scan.buyNamed)).toEqual(['js-Add-To', 'addtobasket', 'cartitle']);
    expect(classes(scan.titles)).toEqual(['cartitle']);
    expect(classes(scan.labels)).toEqual(['cartitle']);
    expect(classes(scan.prices)).toEqual(['js-PRODUCT-Price']);
  });

  it("reads the page's own labels, not other products' in a carousel, even behind hundreds of them", () => {
    const cards = Array.from({ length: 900 }, (_, i) => `<li><b>SKU: OTHER-${i}</b></li>`).join('');
    const html = `<div class="carousel"><ul>${cards}</ul></div><main><h1>Stainless Steel Kettle</h1><span class="price">£49.99</span>
      <button>Add to basket</button><ul><li>SKU: KT-5001</li></ul></main>`;
    expect(detect(page(html), 'https://www.kettles.example/kettle')?.sku).toBe('KT-5001');
  });

  it('reads an out-of-stock message when there is no buy button', () => {
    const html = shop().replace('<button class="btn">Add to basket</button>', '<p class="availability">Currently out of stock</p>');
    expect(detect(page(html))?.availability).toBe('OutOfStock');
  });

  it('finds no product on an article, even with prices and buy links in it', () => {
    const head = '<meta property="og:type" content="article">' + ld({ '@context': 'https://schema.org', '@type': 'NewsArticle', headline: 'Review' });
    const html = '<article><h1>Console review: fast and quiet</h1><p>It costs <span class="price">$499</span>.</p><a class="btn" href="#">Buy now</a></article>';
    expect(detect(page(html, head))).toBeNull();
  });

  it("reads the page's text only where it can change the answer", () => {
    // Walks of the page's elements (the one pass of the visible heuristics) are counted.
    const walks = (doc: Document) => {
      const body = doc.body;
      const counted = { n: 0 };
      const byTag = body.getElementsByTagName.bind(body);
      const all = body.querySelectorAll.bind(body);
      body.getElementsByTagName = ((tag: string) => (tag === '*' && counted.n++, byTag(tag))) as typeof body.getElementsByTagName;
      body.querySelectorAll = ((sel: string) => (sel === '*' && counted.n++, all(sel))) as typeof body.querySelectorAll;
      return counted;
    };
    const head = ld({ '@context': 'https://schema.org', '@type': 'NewsArticle', headline: 'Review' });
    const article = page('<article><h1>Console review</h1><p>It costs <span class="price">$499</span>.</p></article>', head);
    const read = walks(article);
    expect(detect(article)).toBeNull();
    expect(read.n).toBe(0);

    const shop = page('<h1>Red Kettle</h1><span class="price">39,90 €</span><button>Add to cart</button>');
    const shopRead = walks(shop);
    expect(detect(shop)?.price).toBe('39.9');
    expect(shopRead.n).toBeGreaterThan(0);
  });

  it('finds no product on a page with a heading and no price', () => {
    expect(detect(page('<h1>About us</h1><p>We sell kettles since 1990.</p><button>Contact</button>'))).toBeNull();
  });
});

describe('merge', () => {
  it('lets agreeing sources reinforce and records them as evidence', () => {
    const head = '<meta property="og:type" content="product"><meta property="product:price:amount" content="39.90"><meta property="product:price:currency" content="EUR">';
    const body = `<h1>Red Kettle</h1>${ld({ '@type': 'Product', name: 'Red Kettle', sku: 'RK', offers: { price: 39.9, priceCurrency: 'EUR' } })}<span class="price">39,90 €</span><button>Add to cart</button>`;
    const s = detect(page(body, head));
    expect(s?.price).toBe('39.9');
    expect(s?.evidence.price).toEqual(['json-ld', 'meta', 'visible']);
  });

  it('gives way to the shown price when the markup price is shown crossed out', () => {
    const body = `<h1>Red Kettle</h1>${ld({ '@type': 'Product', name: 'Red Kettle', sku: 'RK', offers: { price: 59, priceCurrency: 'EUR' } })}
      <div class="prices"><span class="price price--old">59,00 €</span><span class="price price--sale">45,00 €</span></div>`;
    expect(detect(page(body))?.price).toBe('45');
  });

  it('takes the metas\' sale price over markup that gives the regular price the metas name as such', () => {
    // A sale: JSON-LD still gives the regular 150, Open Graph says 150 is the standard price and 120 the price.
    const head = `<meta property="og:type" content="product"><meta property="og:price:standard_amount" content="150.00">
      <meta property="product:price:amount" content="120.00"><meta property="product:price:currency" content="USD">`;
    const body = ld({ '@type': 'Product', name: 'Keystick Sconce', sku: 'KS1', offers: { price: '150.00', priceCurrency: 'USD' } });
    expect(detect(page(body, head))?.price).toBe('120');
    // Without the metas' word for it, JSON-LD's price stands.
    const plain = `<meta property="og:type" content="product"><meta property="product:price:amount" content="120.00">`;
    expect(detect(page(body, plain))?.price).toBe('150');
  });

  it('uses the canonical link as the URL, and the page address for the retailer', () => {
    const head = '<link rel="canonical" href="/p/red-kettle">';
    const body = ld({ '@type': 'Product', name: 'Red Kettle', sku: 'RK', offers: { price: 39, priceCurrency: 'EUR' } });
    const s = detect(page(body, head), 'https://www.shop.example/p/red-kettle?utm_source=x');
    expect(s).toMatchObject({ url: 'https://www.shop.example/p/red-kettle', retailer: 'shop.example' });
  });

  it('infers the currency from the domain when the page shows none', () => {
    const body = ld({ '@type': 'Product', name: 'Stuhl', sku: 'S1', offers: { price: '49.90' } });
    expect(detect(page(body, '', 'de'), 'https://www.moebel.example.at/stuhl')?.currency).toBe('EUR');
  });
});
