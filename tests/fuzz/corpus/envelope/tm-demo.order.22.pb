
gen-order-fee_changed-0001tm-demoА║╒┬Ь4 А╪┴вМ4*genericR2.
T1001*
couponш*
	promotionжАрсч┬Ь4