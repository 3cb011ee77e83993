
gen-order-signed-0001tb-demo€ºÕÂœ4 €ØÁ¢Œ4*genericR	
T1001 €ŞÆÀ4