
gen-inventory-level-0001tb-demo€ºÕÂœ4 €ØÁ¢Œ4*genericj
SKU-COAT €ˆóƒ4(€€¿œ4