
gen-order-signed-0001tm-demo€ºÕÂœ4 €ØÁ¢Œ4*genericR	
T1001 €ŞÆÀ4